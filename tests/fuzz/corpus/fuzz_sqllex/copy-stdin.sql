COPY public.t (a, b) FROM stdin;
1	\N
2	x\ty
\.
SELECT 1;
