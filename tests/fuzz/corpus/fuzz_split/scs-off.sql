SET standard_conforming_strings = off;
SELECT 'a\'b';
SET standard_conforming_strings TO 'on';
SELECT 'c\';
