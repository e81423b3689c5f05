INSERT INTO gpcat.gp_distribution_policy VALUES
    ('dw.facts'::regclass, 'p', 4, '1', '10027'),
    ('dw.facts_1_prt_y2024'::regclass, 'p', 4, '1', '10027'),
    ('dw.facts_1_prt_y2024_2_prt_east'::regclass, 'p', 4, '1', '10027'),
    ('dw.facts_1_prt_y2024_2_prt_west'::regclass, 'p', 4, '1', '10027'),
    ('dw.facts_1_prt_y2025'::regclass, 'p', 4, '1', '10027'),
    ('dw.facts_1_prt_y2025_2_prt_east'::regclass, 'p', 4, '1', '10027'),
    ('dw.facts_1_prt_y2025_2_prt_west'::regclass, 'p', 4, '1', '10027'),
    ('dw.dim'::regclass, 'r', 4, '', '');

-- a 6.x monitoring function that reads catalogs Greenplum 7 removed
CREATE FUNCTION dw.leaf_count(t text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM pg_partitions WHERE tablename = t);
END $$;
ANALYZE;


