\connect - postgres
\restrict abc
SELECT 1;
\unrestrict abc
