/* Unit tests of the whitelist through the OpenAPI: the request signature
 * against Alibaba's documented example, percent-encoding, the AccessKey
 * file, the endpoint, the DescribeDBInstanceIPArrayList answer, and the adb
 * group of gp2adb.conf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "access_whitelist.h"
#include "aliyun_api.h"
#include "aliyun_sign.h"
#include "config.h"
#include "gpdb_ips.h"
#include "mem.h"
#include "testutil.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_whitelist.XXXXXX";
	dir = xstrdup(mkdtemp(tmpl));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	free(dir);
	return rc == 0 ? 0 : -1;
}

/* The example request of Alibaba Cloud's "Signature mechanism" topic for RPC
 * APIs (ECS DescribeRegions, AccessKey ID "testid", AccessKey secret
 * "testsecret", so the HMAC key is "testsecret&").
 *
 * 1. As the topic was published with the parameter spelled "TimeStamp" (the
 *    text reproduced at https://developer.aliyun.com/ask/210168, "API 签名机制
 *    (示例)"): the signature is CT9X0VtwR86fNWSnsc6v8YGOjuE=, the value every
 *    "Signature mechanism" page still shows in its sample URL
 *    (e.g. https://help.aliyun.com/en/document_detail/145075.html).  That
 *    page's StringToSign lost its "%26" separators to the forum's formatting;
 *    the signature is only reproduced with them, as the rules say.
 * 2. As the topic spells it today ("Timestamp"): the signature is
 *    OLeaidS1JvxuMvnyHOwuJ+uX5qY=, the value the API reference pages use as
 *    their sample Signature (OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D). */
static void example_params(struct aliyun_params *ps, const char *timestamp_name)
{
	aliyun_params_init(ps);
	/* in the order of the documented URL before signing */
	aliyun_params_set(ps, timestamp_name, "2016-02-23T12:46:24Z");
	aliyun_params_set(ps, "Format", "XML");
	aliyun_params_set(ps, "AccessKeyId", "testid");
	aliyun_params_set(ps, "Action", "DescribeRegions");
	aliyun_params_set(ps, "SignatureMethod", "HMAC-SHA1");
	aliyun_params_set(ps, "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
	aliyun_params_set(ps, "Version", "2014-05-26");
	aliyun_params_set(ps, "SignatureVersion", "1.0");
}

static void test_signature_documented_example(void **state)
{
	(void)state;
	struct aliyun_params ps;
	char sig[ALIYUN_SIGNATURE_SIZE];

	example_params(&ps, "TimeStamp");
	char *canonical = aliyun_canonical_query(&ps);
	assert_string_equal(canonical,
		"AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1"
		"&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0"
		"&TimeStamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26");
	free(canonical);
	char *sts = aliyun_string_to_sign("GET", &ps);
	assert_string_equal(sts,
		"GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
		"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
		"%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
	free(sts);
	aliyun_signature("GET", &ps, "testsecret", sig);
	assert_string_equal(sig, "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
	/* a Signature parameter already present takes no part */
	aliyun_params_set(&ps, "Signature", "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
	aliyun_signature("GET", &ps, "testsecret", sig);
	assert_string_equal(sig, "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
	aliyun_params_done(&ps);

	example_params(&ps, "Timestamp");
	sts = aliyun_string_to_sign("GET", &ps);
	assert_string_equal(sts,
		"GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
		"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
		"%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
	free(sts);
	aliyun_signature("GET", &ps, "testsecret", sig);
	assert_string_equal(sig, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	/* the key is the secret and "&": any other secret gives another signature */
	aliyun_signature("GET", &ps, "testsecret&", sig);
	assert_string_not_equal(sig, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	aliyun_params_done(&ps);
}

static void test_percent_encode(void **state)
{
	(void)state;
	struct { const char *in, *out; } cases[] = {
		{ "AZaz09-_.~", "AZaz09-_.~" },
		{ "a b", "a%20b" },            /* a space is %20, not + */
		{ "a+b*c", "a%2Bb%2Ac" },      /* what form encoding leaves alone */
		{ "0.0.0.0/0", "0.0.0.0%2F0" },
		{ "10.0.0.1,10.0.0.2", "10.0.0.1%2C10.0.0.2" },
		{ "k=v&x", "k%3Dv%26x" },
		{ "\xc3\xa9", "%C3%A9" },      /* UTF-8 bytes, upper-case hex */
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *e = aliyun_percent_encode(cases[i].in);
		assert_string_equal(e, cases[i].out);
		free(e);
	}
}

static void test_canonical_order_is_bytewise(void **state)
{
	(void)state;
	struct aliyun_params ps;
	aliyun_params_init(&ps);
	aliyun_params_set(&ps, "b", "2");
	aliyun_params_set(&ps, "a", "1 1");
	aliyun_params_set(&ps, "Z", "z");
	aliyun_params_set(&ps, "DBInstanceIPArrayName", "g");
	aliyun_params_set(&ps, "DBInstanceId", "gp-1");
	aliyun_params_set(&ps, "a", "one");     /* replaces */
	assert_string_equal(aliyun_params_get(&ps, "a"), "one");
	char *q = aliyun_canonical_query(&ps);
	/* "DBInstanceIPArrayName" < "DBInstanceId": 'P' (0x50) < 'd' (0x64) */
	assert_string_equal(q, "DBInstanceIPArrayName=g&DBInstanceId=gp-1&Z=z&a=one&b=2");
	free(q);
	aliyun_params_done(&ps);
}

static void test_timestamp_and_nonce(void **state)
{
	(void)state;
	char ts[ALIYUN_TIMESTAMP_SIZE];
	aliyun_timestamp(1456231584, ts);
	assert_string_equal(ts, "2016-02-23T12:46:24Z");
	time_t back;
	assert_true(aliyun_timestamp_parse(ts, &back));
	assert_int_equal(back, 1456231584);
	assert_false(aliyun_timestamp_parse("2016-02-23 12:46:24", &back));
	assert_false(aliyun_timestamp_parse("2016-02-23T12:46:24Zx", &back));
	char a[ALIYUN_NONCE_SIZE], b[ALIYUN_NONCE_SIZE];
	aliyun_nonce(a);
	aliyun_nonce(b);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '4');
	assert_true(strchr("89ab", a[19]) != NULL);
	assert_string_not_equal(a, b);
	assert_true(aliyun_signature_equal("abc=", "abc="));
	assert_false(aliyun_signature_equal("abc=", "abd="));
	assert_false(aliyun_signature_equal("abc=", "abc"));
}

static void expect_url(const char *endpoint, const char *region, const char *want)
{
	char *url = NULL, err[300] = "";
	if (!aliyun_endpoint_url(endpoint, region, &url, err, sizeof err))
		fail_msg("endpoint %s region %s: %s", endpoint ? endpoint : "-", region ? region : "-", err);
	assert_string_equal(url, want);
	free(url);
}

static void expect_url_error(const char *endpoint, const char *region, const char *needle)
{
	char *url = NULL, err[300] = "";
	if (aliyun_endpoint_url(endpoint, region, &url, err, sizeof err))
		fail_msg("endpoint %s region %s: accepted as %s", endpoint ? endpoint : "-", region ? region : "-", url);
	assert_null(url);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_endpoint(void **state)
{
	(void)state;
	expect_url(NULL, "cn-hangzhou", "https://gpdb.aliyuncs.com/");
	expect_url(NULL, "ap-northeast-1", "https://gpdb.ap-northeast-1.aliyuncs.com/");
	expect_url("gpdb.aliyuncs.com", NULL, "https://gpdb.aliyuncs.com/");
	expect_url("https://gpdb.cn-chengdu.aliyuncs.com/", "cn-hangzhou", "https://gpdb.cn-chengdu.aliyuncs.com/");
	expect_url("http://127.0.0.1:8080", NULL, "http://127.0.0.1:8080/");
	expect_url("http://localhost:9", NULL, "http://localhost:9/");
	expect_url_error("http://gpdb.aliyuncs.com", NULL, "plain http:// is only for a server on this machine");
	expect_url_error("http://10.0.0.1:80", NULL, "plain http://");
	expect_url_error("ftp://gpdb.aliyuncs.com", NULL, "only https://");
	expect_url_error("gpdb.aliyuncs.com/x", NULL, "is not a host name");
	expect_url_error("gpdb.aliyuncs.com?a=b", NULL, "is not a host name");
	expect_url_error(NULL, NULL, "neither an endpoint nor a region");
	expect_url_error(NULL, "CN Hangzhou", "is not a region id");
}

static char *key_file(const char *name, const char *text, unsigned mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	unlink(path);
	tu_write_file(path, text, mode);
	return path;
}

static void expect_key_error(const char *text, unsigned mode, const char *needle, const char *secret)
{
	char *path = key_file("bad.key", text, mode);
	struct aliyun_key k;
	char err[600] = "";
	if (aliyun_key_load(&k, path, err, sizeof err))
		fail_msg("accepted:\n%s", text);
	assert_null(k.id);
	assert_null(k.secret);
	if (!strstr(err, needle) || !strstr(err, path))
		fail_msg("error '%s' lacks '%s' or the file's name", err, needle);
	if (secret && strstr(err, secret))
		fail_msg("error '%s' shows the secret", err);
	free(path);
}

static void test_key_file(void **state)
{
	(void)state;
	struct aliyun_key k;
	char err[600];
	char *path = key_file("a.key", "# the migration's key\naccess_key_id = LTAI5tExampleId99\n"
			      "  access_key_secret = \"Sup3rS3cretValue\"  \n", 0600);
	assert_true(aliyun_key_load(&k, path, err, sizeof err));
	assert_string_equal(k.id, "LTAI5tExampleId99");
	assert_string_equal(k.secret, "Sup3rS3cretValue");
	aliyun_key_done(&k);
	free(path);

	/* the AccessKey file of gp2adb oss serves too */
	path = key_file("oss.key", "id = LTAI5tOssId00002\nkey = OssS3cretValue\n", 0600);
	assert_true(aliyun_key_load(&k, path, err, sizeof err));
	assert_string_equal(k.id, "LTAI5tOssId00002");
	assert_string_equal(k.secret, "OssS3cretValue");
	aliyun_key_done(&k);
	free(path);

	/* the CSV the console downloads, with its byte order mark */
	path = key_file("b.csv", "\xef\xbb\xbf" "AccessKey ID,AccessKey Secret\r\nLTAI5tCsvId000001,CsvS3cretValue\r\n", 0400);
	assert_true(aliyun_key_load(&k, path, err, sizeof err));
	assert_string_equal(k.id, "LTAI5tCsvId000001");
	assert_string_equal(k.secret, "CsvS3cretValue");
	char masked[32];
	aliyun_key_id_masked(k.id, masked, sizeof masked);
	assert_string_equal(masked, "LTAI****0001");
	aliyun_key_done(&k);
	free(path);

	/* readable by others: refused before anything is read, with the chmod to run */
	path = xasprintf("%s/bad.key", dir);
	char *chmod_hint = xasprintf("Run: chmod 600 %s", path);
	expect_key_error("access_key_id = LTAI5tExampleId99\naccess_key_secret = Sup3rS3cretValue\n", 0644,
			 chmod_hint, "Sup3rS3cretValue");
	expect_key_error("access_key_id = LTAI5tExampleId99\naccess_key_secret = Sup3rS3cretValue\n", 0640,
			 "permissions are 0640", NULL);
	free(chmod_hint);
	free(path);
	expect_key_error("access_key_id = LTAI5tExampleId99\n", 0600, "no access_key_secret", NULL);
	expect_key_error("access_key_id = LTAI5tExampleId99\nsecret = Sup3rS3cretValue\n", 0600,
			 ":2: unknown key 'secret'", "Sup3rS3cretValue");
	/* a line that may be the bare secret is never echoed */
	expect_key_error("LTAI5tExampleId99\nSup3rS3cretValue\n", 0600, ":1: expected 'access_key_id = ...'",
			 "Sup3rS3cretValue");
	expect_key_error("access_key_id = LTAI5tExampleId99\naccess_key_secret = Sup3r S3cret\n", 0600,
			 ":2: the access_key_secret is empty or holds a space", "S3cret");
	expect_key_error("access_key_id = A\naccess_key_id = B\naccess_key_secret = C\n", 0600,
			 ":2: a second access_key_id", NULL);
	expect_key_error("AccessKey ID,AccessKey Secret\n", 0600, "a CSV header without a line of values", NULL);
	char *missing = xasprintf("%s/none.key", dir);
	assert_false(aliyun_key_load(&k, missing, err, sizeof err));
	assert_non_null(strstr(err, "cannot open the AccessKey file"));
	free(missing);
}

/* The documented answer of DescribeDBInstanceIPArrayList (API reference, gpdb 2016-05-03). */
static void test_describe_answer(void **state)
{
	(void)state;
	struct gpdb_ip_groups g;
	char err[300];
	assert_true(gpdb_ip_groups_parse(
		"{\"RequestId\": \"CB7AA0BF-BE41-480E-A3DC-C97BF85A391B\", \"Items\": {\"DBInstanceIPArray\": ["
		"{\"DBInstanceIPArrayName\": \"Default\", \"SecurityIPList\": \"127.0.0.1\", "
		"\"DBInstanceIPArrayAttribute\": \"hidden\"},"
		"{\"DBInstanceIPArrayName\": \"gp2adb_migration\", \"SecurityIPList\": \"10.0.0.1, 0.0.0.0/0\"}]}}",
		&g, err, sizeof err));
	assert_int_equal(g.n, 2);
	const struct gpdb_ip_group *d = gpdb_ip_groups_find(&g, "default");
	assert_non_null(d);
	assert_string_equal(d->attribute, "hidden");
	assert_int_equal(strv_len(d->ips), 1);
	const struct gpdb_ip_group *m = gpdb_ip_groups_find(&g, "gp2adb_migration");
	assert_string_equal(m->attribute, "");
	assert_int_equal(strv_len(m->ips), 2);
	assert_true(gpdb_ip_list_has(m->ips, "0.0.0.0/0"));
	assert_true(gpdb_ip_list_has(m->ips, "10.0.0.1/32"));
	assert_false(gpdb_ip_list_has(m->ips, "10.0.0.0/24"));
	assert_null(gpdb_ip_groups_find(&g, "other"));
	gpdb_ip_groups_done(&g);

	assert_false(gpdb_ip_groups_parse("{\"RequestId\": \"x\"}", &g, err, sizeof err));
	assert_non_null(strstr(err, "Items.DBInstanceIPArray"));
	assert_false(gpdb_ip_groups_parse("<xml/>", &g, err, sizeof err));
	assert_non_null(strstr(err, "not JSON"));
	assert_false(gpdb_ip_groups_parse("{\"Items\": {\"DBInstanceIPArray\": [{\"SecurityIPList\": \"1.2.3.4\"}]}}",
					  &g, err, sizeof err));
	assert_non_null(strstr(err, "no DBInstanceIPArrayName"));
}

static void test_ip_lists(void **state)
{
	(void)state;
	char **v = gpdb_ip_list_split(" 10.0.0.1 ,,192.168.0.0/16, ");
	assert_int_equal(strv_len(v), 2);
	assert_string_equal(v[0], "10.0.0.1");
	assert_string_equal(v[1], "192.168.0.0/16");
	strv_free(v);
	v = gpdb_ip_list_split("");
	assert_int_equal(strv_len(v), 0);
	strv_free(v);
	assert_true(gpdb_ip_same("10.0.0.1", "10.0.0.1/32"));
	assert_false(gpdb_ip_same("10.0.0.1", "10.0.0.10"));
	assert_false(gpdb_ip_same("0.0.0.0/0", "0.0.0.0"));
}

static void test_retry_classes(void **state)
{
	(void)state;
	assert_true(aliyun_retryable(0, ""));           /* no answer */
	assert_true(aliyun_retryable(503, "ServiceUnavailable"));
	assert_true(aliyun_retryable(500, "InternalError"));
	assert_true(aliyun_retryable(400, "Throttling"));
	assert_true(aliyun_retryable(400, "Throttling.User"));
	assert_false(aliyun_retryable(400, "SignatureDoesNotMatch"));
	assert_false(aliyun_retryable(404, "InvalidAccessKeyId.NotFound"));
	assert_false(aliyun_retryable(403, "Forbidden.RAM"));
	struct aliyun_error e = { .action = "ModifySecurityIps", .http_status = 403, .code = "Forbidden.RAM",
				  .message = "User not authorized", .request_id = "R-1" };
	char buf[300];
	assert_string_equal(aliyun_error_text(&e, buf, sizeof buf),
			    "ModifySecurityIps: HTTP 403 Forbidden.RAM: User not authorized (RequestId R-1)");
}

static void test_managed_openings(void **state)
{
	(void)state;
	/* managed: a whitelist entry made by gp2adb, through the OpenAPI */
	struct access_opening o = { 0 };
	o.kind = ACCESS_WHITELIST;
	o.by_gp2adb = true;
	o.path = "openapi:https://gpdb.aliyuncs.com/";
	assert_true(access_whitelist_managed(&o));
	assert_true(access_made_by_gp2adb(&o));
	/* the operator's entry, even with the API's path: not gp2adb's to remove */
	o.by_gp2adb = false;
	assert_false(access_whitelist_managed(&o));
	assert_false(access_made_by_gp2adb(&o));
	/* gp2adb's, but not through the OpenAPI (a build that cannot undo it) */
	o.by_gp2adb = true;
	o.path = NULL;
	assert_false(access_whitelist_managed(&o));
	assert_true(access_made_by_gp2adb(&o));
	o.path = "/data/master/pg_hba.conf";
	assert_false(access_whitelist_managed(&o));
	o.path = "openapi";
	assert_false(access_whitelist_managed(&o));
	/* another kind with the API's path */
	o.path = "openapi:https://gpdb.aliyuncs.com/";
	o.kind = ACCESS_PRIVILEGE;
	assert_false(access_whitelist_managed(&o));
	o.kind = ACCESS_PG_HBA;
	assert_false(access_whitelist_managed(&o));

	/* what the ledger reads back decides it: a v2 line says who made it */
	struct access_opening ev;
	char err[200];
	o.kind = ACCESS_WHITELIST;
	o.id = 3;
	o.state = ACCESS_DONE;
	o.instance = "gp-1";
	o.cidr = "0.0.0.0/0";
	o.what = "gp2adb_migration";
	char *line = access_event_format(&o);
	assert_true(access_event_parse(line, &ev, err, sizeof err));
	assert_true(access_whitelist_managed(&ev));
	access_opening_done(&ev);
	free(line);
	o.by_gp2adb = false;
	line = access_event_format(&o);
	assert_true(access_event_parse(line, &ev, err, sizeof err));
	assert_false(access_whitelist_managed(&ev));
	access_opening_done(&ev);
	free(line);

	struct plan p;
	plan_init(&p);
	assert_false(access_whitelist_configured(&p));
	p.adb.instance_id = xstrdup("gp-1");
	assert_false(access_whitelist_configured(&p));
	p.adb.access_key_file = xstrdup("/k");
	assert_true(access_whitelist_configured(&p));
	plan_done(&p);
}

/* --- the adb group of gp2adb.conf --- */

static bool load(const char *text, struct plan *p, char *err, size_t n)
{
	char *path = xasprintf("%s/gp2adb.conf", dir);
	unlink(path);
	tu_write_file(path, text, 0600);
	plan_init(p);
	bool ok = config_load(p, path, err, n);
	free(path);
	return ok;
}

static void expect_config_error(const char *text, const char *needle)
{
	struct plan p;
	char err[600];
	if (load(text, &p, err, sizeof err))
		fail_msg("accepted:\n%s", text);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	plan_done(&p);
}

static void test_config_adb_group(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	/* without the group: nothing configured, the default group name */
	assert_true(load("state_dir = \"/tmp/x\";\n", &p, err, sizeof err));
	assert_false(access_whitelist_configured(&p));
	assert_string_equal(p.adb.whitelist_group, "gp2adb_migration");
	plan_done(&p);

	setenv("HOME", "/home/op", 1);
	assert_true(load("adb = {\n  instance_id = \"gp-bp12ga6v69h86xxxx\";\n  region = \"cn-hangzhou\";\n"
			 "  access_key_file = \"~/.aliyun/gp2adb.key\";\n  whitelist_group = \"mig_2024\";\n};\n",
			 &p, err, sizeof err));
	assert_true(access_whitelist_configured(&p));
	assert_string_equal(p.adb.instance_id, "gp-bp12ga6v69h86xxxx");
	assert_string_equal(p.adb.region, "cn-hangzhou");
	assert_string_equal(p.adb.access_key_file, "/home/op/.aliyun/gp2adb.key");
	assert_string_equal(p.adb.whitelist_group, "mig_2024");
	assert_null(p.adb.endpoint);
	plan_done(&p);

	expect_config_error("adb = {\n  region = \"cn-hangzhou\";\n  access_key_file = \"/k\";\n};\n",
			    "gp2adb.conf:3: access_key_file is set but instance_id is not");
	expect_config_error("adb = {\n  instance_id = \"gp-1\";\n  access_key_file = \"/k\";\n};\n",
			    "gp2adb.conf:1: adb: neither an endpoint nor a region");
	expect_config_error("adb = {\n  instance_id = \"gp-1\";\n  access_key_file = \"/k\";\n"
			    "  endpoint = \"http://gpdb.aliyuncs.com\";\n};\n",
			    "gp2adb.conf:4: adb: endpoint \"http://gpdb.aliyuncs.com\": plain http://");
	expect_config_error("adb = {\n  whitelist_group = \"Mig-1\";\n};\n",
			    "gp2adb.conf:2: whitelist_group \"Mig-1\" must be 2 to 120 lower-case letters");
	expect_config_error("adb = {\n  instance_id = \"gp 1\";\n};\n", "gp2adb.conf:2: instance_id \"gp 1\"");
	expect_config_error("adb = {\n  acess_key_file = \"/k\";\n};\n",
			    "gp2adb.conf:2: unknown key 'acess_key_file' in group 'adb' (did you mean 'access_key_file'?)");
	expect_config_error("adb = {\n  region = 3;\n};\n", "gp2adb.conf:2: 'region' must be a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_documented_example),
		cmocka_unit_test(test_percent_encode),
		cmocka_unit_test(test_canonical_order_is_bytewise),
		cmocka_unit_test(test_timestamp_and_nonce),
		cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_describe_answer),
		cmocka_unit_test(test_ip_lists),
		cmocka_unit_test(test_retry_classes),
		cmocka_unit_test(test_managed_openings),
		cmocka_unit_test(test_config_adb_group),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
