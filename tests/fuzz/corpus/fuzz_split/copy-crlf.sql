COPY t FROM stdin;
1
\.
