/* a /* nested */ comment */ SELECT 1; -- tail
