/* sqllex: where statements end, tokens, line numbers, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sqllex.h"
#include "strbuf.h"

/* Split and render the statements as "text" lines joined by "\n---\n";
 * meta-commands get a "META:" prefix and COPY data a "DATA:" line. */
static char *split_render(const char *sql, bool std, bool *ok, char *err)
{
	struct sqlscript sc;
	*ok = sqllex_split(sql, strlen(sql), std, &sc);
	if (err)
		strcpy(err, sc.error);
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < sc.n; i++) {
		const struct sqlstmt *s = &sc.items[i];
		if (i)
			strbuf_puts(&sb, "\n---\n");
		if (s->kind == SQLSTMT_META)
			strbuf_puts(&sb, "META:");
		strbuf_add(&sb, sql + s->start, s->end - s->start);
		if (s->has_data) {
			strbuf_puts(&sb, "\nDATA:");
			strbuf_add(&sb, sql + s->data_start, s->data_end - s->data_start);
		}
	}
	sqlscript_free(&sc);
	return strbuf_finish(&sb);
}

#define assert_split(sql, expect)                                   \
	do {                                                            \
		bool ok_;                                                   \
		char *got_ = split_render(sql, true, &ok_, NULL);           \
		assert_true(ok_);                                           \
		assert_string_equal(got_, expect);                          \
		free(got_);                                                 \
	} while (0)

static void test_simple_statements(void **state)
{
	(void)state;
	assert_split("SELECT 1; SELECT 2;", "SELECT 1;\n---\nSELECT 2;");
	assert_split("  \n\n", "");
	assert_split("", "");
	assert_split("SELECT 1", "SELECT 1");           /* no ';' at the end */
	assert_split(";", ";");
	assert_split("a;;b;", "a;\n---\n;\n---\nb;");
}

static void test_comments(void **state)
{
	(void)state;
	assert_split("-- a; comment\nSELECT 1; -- tail ;\n", "SELECT 1;");
	assert_split("/* a; /* nested; */ still; */ SELECT 1;", "SELECT 1;");
	assert_split("SELECT /* ; */ 1 -- ;\n + 2;", "SELECT /* ; */ 1 -- ;\n + 2;");
	/* "--" inside a string or identifier is not a comment */
	assert_split("SELECT '--x;' , \"--y;\";", "SELECT '--x;' , \"--y;\";");
	/* an operator made of - and / characters is not a comment either */
	assert_split("SELECT 1 - -1; SELECT 4 / 2;", "SELECT 1 - -1;\n---\nSELECT 4 / 2;");
}

static void test_strings(void **state)
{
	(void)state;
	assert_split("SELECT 'it''s; fine';SELECT 2;", "SELECT 'it''s; fine';\n---\nSELECT 2;");
	/* with standard strings a backslash is an ordinary character */
	assert_split("SELECT 'a\\'; SELECT 2;", "SELECT 'a\\';\n---\nSELECT 2;");
	/* E'' strings: backslash escapes the quote */
	assert_split("SELECT E'a\\'; b'; SELECT 2;", "SELECT E'a\\'; b';\n---\nSELECT 2;");
	assert_split("SELECT e'\\\\'; SELECT 2;", "SELECT e'\\\\';\n---\nSELECT 2;");
	/* a word ending in e before a quote is not an E string */
	assert_split("SELECT 1 AS one, name'x;'", "SELECT 1 AS one, name'x;'");
	assert_split("SELECT U&'d\\0061t;a', B'01;', X'ff;', N'n;';",
		     "SELECT U&'d\\0061t;a', B'01;', X'ff;', N'n;';");
}

static void test_standard_conforming_strings_off(void **state)
{
	(void)state;
	bool ok;
	/* off from the start (an old dump): backslash escapes inside '...' */
	char *got = split_render("SELECT 'a\\'; b'; SELECT 2;", false, &ok, NULL);
	assert_true(ok);
	assert_string_equal(got, "SELECT 'a\\'; b';\n---\nSELECT 2;");
	free(got);
	/* switched by the script itself, and back */
	assert_split("SET standard_conforming_strings = off;\nSELECT 'x\\';y';\n"
		     "SET standard_conforming_strings TO 'on';\nSELECT 'z\\';",
		     "SET standard_conforming_strings = off;\n---\nSELECT 'x\\';y';\n---\n"
		     "SET standard_conforming_strings TO 'on';\n---\nSELECT 'z\\';");
	struct sqlscript sc;
	const char *sql = "SET SESSION standard_conforming_strings = off; SELECT 1; SET standard_conforming_strings=on; SELECT 2;";
	assert_true(sqllex_split(sql, strlen(sql), true, &sc));
	assert_int_equal(sc.n, 4);
	assert_true(sc.items[0].std_strings);
	assert_false(sc.items[1].std_strings);
	assert_false(sc.items[2].std_strings);
	assert_true(sc.items[3].std_strings);
	sqlscript_free(&sc);
}

static void test_quoted_identifiers(void **state)
{
	(void)state;
	assert_split("CREATE TABLE \"a;\"\"b\" (\"x'y\" int); SELECT 1;",
		     "CREATE TABLE \"a;\"\"b\" (\"x'y\" int);\n---\nSELECT 1;");
	assert_split("SELECT U&\"d;\" FROM t;", "SELECT U&\"d;\" FROM t;");
}

static void test_dollar_quotes(void **state)
{
	(void)state;
	assert_split("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT 2;",
		     "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n---\nSELECT 2;");
	/* a tag; an inner different tag and a $$ inside do not close it */
	assert_split("DO $body$ BEGIN EXECUTE $q$ SELECT ';' $q$; PERFORM $$x;$$; END $body$; SELECT 3;",
		     "DO $body$ BEGIN EXECUTE $q$ SELECT ';' $q$; PERFORM $$x;$$; END $body$;\n---\nSELECT 3;");
	/* quotes and comments inside a dollar body are not special */
	assert_split("SELECT $a$ it's /* -- \" $a$; SELECT 4;", "SELECT $a$ it's /* -- \" $a$;\n---\nSELECT 4;");
	/* $1 is a parameter, a$b an identifier, $1$ not a delimiter */
	assert_split("PREPARE p AS SELECT $1, a$b FROM t WHERE x = $2; SELECT 5;",
		     "PREPARE p AS SELECT $1, a$b FROM t WHERE x = $2;\n---\nSELECT 5;");
	/* a tag with UTF-8 letters */
	assert_split("SELECT $é$;$é$; SELECT 6;", "SELECT $é$;$é$;\n---\nSELECT 6;");
}

static void test_parentheses_and_atomic_bodies(void **state)
{
	(void)state;
	/* a rule with several actions */
	assert_split("CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO a VALUES (1); DELETE FROM b); SELECT 1;",
		     "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO a VALUES (1); DELETE FROM b);\n---\nSELECT 1;");
	/* SQL-standard function bodies */
	assert_split("CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x; "
		     "SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END; END; SELECT 7;",
		     "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x; "
		     "SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END; END;\n---\nSELECT 7;");
	assert_split("CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END; BEGIN; COMMIT;",
		     "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n---\nBEGIN;\n---\nCOMMIT;");
	/* BEGIN and END outside a routine are statements of their own */
	assert_split("BEGIN; SELECT CASE WHEN true THEN 1 END; END;",
		     "BEGIN;\n---\nSELECT CASE WHEN true THEN 1 END;\n---\nEND;");
}

static void test_meta_commands(void **state)
{
	(void)state;
	assert_split("\\restrict abc123\nSET x = 1;\n\\connect - postgres\nSELECT 1;\r\n\\unrestrict abc123\r\n",
		     "META:\\restrict abc123\n---\nSET x = 1;\n---\nMETA:\\connect - postgres\n---\nSELECT 1;\n---\nMETA:\\unrestrict abc123");
}

static void test_copy_from_stdin(void **state)
{
	(void)state;
	assert_split("COPY public.t (a, b) FROM stdin;\n1\tit's; not SQL\n2\t\\N\n\\.\nSELECT 1;",
		     "COPY public.t (a, b) FROM stdin;\nDATA:1\tit's; not SQL\n2\t\\N\n\n---\nSELECT 1;");
	/* an empty COPY block, CRLF line ends, the terminator at the very end */
	assert_split("COPY t FROM STDIN;\r\n\\.\r\n", "COPY t FROM STDIN;\nDATA:");
	assert_split("COPY t FROM stdin WITH (FORMAT csv);\n\"a\\.\",1\n\\.", "COPY t FROM stdin WITH (FORMAT csv);\nDATA:\"a\\.\",1\n");
	/* COPY TO stdout and COPY (query with FROM) are not followed by data */
	assert_split("COPY t TO stdout; COPY (SELECT a FROM stdin_t) TO stdout; SELECT 1;",
		     "COPY t TO stdout;\n---\nCOPY (SELECT a FROM stdin_t) TO stdout;\n---\nSELECT 1;");
	/* a line "\.x" does not end the data */
	assert_split("COPY t FROM stdin;\n\\.x\n\\.\nSELECT 2;", "COPY t FROM stdin;\nDATA:\\.x\n\n---\nSELECT 2;");
	bool ok;
	char err[200];
	char *got = split_render("SELECT 0;\nCOPY t FROM stdin;\n1\n2\n", true, &ok, err);
	assert_false(ok);
	assert_string_equal(err, "line 2: COPY ... FROM stdin data has no terminating \\. line");
	free(got);
}

static void test_line_numbers_and_offsets(void **state)
{
	(void)state;
	const char *sql = "-- header\n\nSELECT 1;\n/* c\n */ SELECT\n 2; SELECT $$\n\n$$;\nSELECT 4";
	struct sqlscript sc;
	assert_true(sqllex_split(sql, strlen(sql), true, &sc));
	assert_int_equal(sc.n, 4);
	assert_int_equal(sc.items[0].line, 3);
	assert_int_equal(sc.items[0].start, 11);
	assert_int_equal(sc.items[0].end, 20);
	assert_int_equal(sc.items[1].line, 5);
	assert_int_equal(sc.items[2].line, 6);
	assert_int_equal(sc.items[3].line, 9);
	assert_true(sc.items[2].terminated);
	assert_false(sc.items[3].terminated);
	sqlscript_free(&sc);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *sql, *error;
	} cases[] = {
		{ "SELECT 1;\nSELECT 'abc;\n", "line 2: unterminated quoted string" },
		{ "SELECT \"abc;", "line 1: unterminated quoted identifier" },
		{ "\n\nSELECT $x$ abc $y$;", "line 3: unterminated dollar-quoted string" },
		{ "SELECT 1; /* a /* b */ ;", "line 1: unterminated /* comment" },
		{ "SELECT E'a\\';", "line 1: unterminated quoted string" },
		{ "SELECT 'a\\'", NULL },       /* standard strings: complete */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool ok;
		char err[200];
		char *got = split_render(cases[i].sql, true, &ok, err);
		if (cases[i].error) {
			assert_false(ok);
			assert_string_equal(err, cases[i].error);
		} else {
			assert_true(ok);
		}
		free(got);
	}
}

static void test_tokens(void **state)
{
	(void)state;
	const char *sql = "CREATE TABLE \"My \"\"T\"\" \" (x int DEFAULT E'a\\nb''c') -- c\n"
			  " AS $f$body$f$ 'it''s' 1.5e-3 $2 ::";
	struct sqllex lx;
	sqllex_init(&lx, sql, strlen(sql), true);
	static const struct {
		enum sqltok_kind kind;
		const char *text;
	} want[] = {
		{ TOK_WORD, "create" }, { TOK_WORD, "table" }, { TOK_QIDENT, "My \"T\" " },
		{ TOK_OP, "(" }, { TOK_WORD, "x" }, { TOK_WORD, "int" }, { TOK_WORD, "default" },
		{ TOK_STRING, "a\nb'c" }, { TOK_OP, ")" }, { TOK_WORD, "as" }, { TOK_DOLLAR, "body" },
		{ TOK_STRING, "it's" }, { TOK_NUMBER, "1.5e-3" }, { TOK_PARAM, "$2" },
		{ TOK_OP, ":" }, { TOK_OP, ":" }, { TOK_EOF, "" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct sqltok t;
		assert_true(sqllex_next(&lx, &t));
		assert_int_equal(t.kind, want[i].kind);
		char *text = sqltok_text(sql, &t);
		assert_string_equal(text, want[i].text);
		free(text);
	}
	struct sqltok t = { .kind = TOK_WORD, .start = 0, .end = 6 };
	assert_true(sqltok_is(sql, &t, "create"));
	assert_false(sqltok_is(sql, &t, "creat"));
}

static void test_quote_helpers(void **state)
{
	(void)state;
	char *q = sql_quote_ident("a\"b");
	assert_string_equal(q, "\"a\"\"b\"");
	free(q);
	q = sql_quote_literal("it's");
	assert_string_equal(q, "'it''s'");
	free(q);
	q = sql_quote_literal("c:\\dir");
	assert_string_equal(q, "E'c:\\\\dir'");
	free(q);
}

/* Every statement boundary survives any split of the input into pieces that
 * the splitter then sees as one text: a pg_dump-like script round-trips. */
static void test_dump_like_script(void **state)
{
	(void)state;
	const char *sql =
		"--\n-- PostgreSQL database dump\n--\n\n"
		"SET statement_timeout = 0;\n"
		"SELECT pg_catalog.set_config('search_path', '', false);\n\n"
		"--\n-- Name: f(integer); Type: FUNCTION; Schema: public; Owner: postgres\n--\n\n"
		"CREATE FUNCTION public.f(x integer) RETURNS integer\n    LANGUAGE plpgsql\n    AS $_$\n"
		"BEGIN\n  RETURN x + 1; -- ';'\nEND;\n$_$;\n\n\n"
		"ALTER FUNCTION public.f(x integer) OWNER TO postgres;\n\n"
		"CREATE TABLE public.\"T\" (\n    a integer DEFAULT 1 NOT NULL,\n    \"b;c\" text DEFAULT 'x;y'::text\n);\n\n"
		"COMMENT ON TABLE public.\"T\" IS 'a /* not a comment; */ text';\n";
	struct sqlscript sc;
	assert_true(sqllex_split(sql, strlen(sql), true, &sc));
	assert_int_equal(sc.n, 6);
	assert_int_equal(strncmp(sql + sc.items[2].start, "CREATE FUNCTION", 15), 0);
	assert_int_equal(strncmp(sql + sc.items[2].end - 4, "$_$;", 4), 0);
	assert_int_equal(strncmp(sql + sc.items[4].end - 3, "\n);", 3), 0);
	assert_int_equal(sc.items[5].line, 28);
	sqlscript_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_statements),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_standard_conforming_strings_off),
		cmocka_unit_test(test_quoted_identifiers),
		cmocka_unit_test(test_dollar_quotes),
		cmocka_unit_test(test_parentheses_and_atomic_bodies),
		cmocka_unit_test(test_meta_commands),
		cmocka_unit_test(test_copy_from_stdin),
		cmocka_unit_test(test_line_numbers_and_offsets),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_quote_helpers),
		cmocka_unit_test(test_dump_like_script),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
