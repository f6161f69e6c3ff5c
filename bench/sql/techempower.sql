-- TechEmpower tables for `make bench` (not an app migration): World with 10,000 rows, Fortune
-- with the 12 standard rows. Re-run safely: the tables are rebuilt only when they are not as
-- expected. Run as the database owner (role parley) by bench/run.sh.
\set ON_ERROR_STOP 1

CREATE TABLE IF NOT EXISTS world (
    id           integer PRIMARY KEY,
    randomnumber integer NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS fortune (
    id      integer PRIMARY KEY,
    message varchar(2048) NOT NULL
);

SELECT count(*) <> 10000 AS world_refill FROM world \gset
\if :world_refill
TRUNCATE world;
INSERT INTO world (id, randomnumber)
SELECT id, 1 + floor(random() * 10000)::integer FROM generate_series(1, 10000) AS id;
\endif

BEGIN;
TRUNCATE fortune;
INSERT INTO fortune (id, message) VALUES
    (1, 'fortune: No such file or directory'),
    (2, 'A computer scientist is someone who fixes things that aren''t broken.'),
    (3, 'After enough decimal places, nobody gives a damn.'),
    (4, 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1'),
    (5, 'A computer program does what you tell it to do, not what you want it to do.'),
    (6, 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen'),
    (7, 'Any program that runs right is obsolete.'),
    (8, 'A list is only as strong as its weakest link. — Donald Knuth'),
    (9, 'Feature: A bug with seniority.'),
    (10, 'Computers make very fast, very accurate mistakes.'),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, 'フレームワークのベンチマーク');
COMMIT;

VACUUM ANALYZE world;
VACUUM ANALYZE fortune;
