-- A database whose COPY text exercises what a fingerprint must survive: escapes, encodings, every
-- common type's text form, odd names, table shapes (empty, no columns, wide, big, partitioned,
-- inherited, generated columns), large objects and sequences. Loaded by the pgarchive tests.
SET client_min_messages = warning;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');

CREATE TABLE texts (id int PRIMARY KEY, t text, v varchar(20), c char(5));
INSERT INTO texts VALUES
  (1, E'tab\there', 'a', 'x'),
  (2, E'new\nline', NULL, NULL),
  (3, E'back\\slash', 'b', 'y'),
  (4, 'unicode: héllo wörld ✓ 日本語 🎉', 'c', 'z'),
  (5, E'cr\rlf\r\n', 'd', ''),
  (6, '', '', ''),
  (7, E'\\.', 'x', 'y'),
  (8, NULL, NULL, NULL),
  (9, E'\\N', 'literal', 'N'),
  (10, E'ctl \x01\x1f\x7f', 'e', 'f');

CREATE TABLE bins (id int, b bytea);
INSERT INTO bins VALUES (1, '\x00ff10'::bytea), (2, ''::bytea), (3, NULL),
  (4, convert_to(repeat('abc', 1000), 'UTF8')), (5, '\x5c0a0d09'::bytea);

CREATE TABLE nums (id serial, n numeric, n2 numeric(20,5), f4 real, f8 double precision, i8 bigint, s smallint,
                   m money, b boolean);
INSERT INTO nums (n, n2, f4, f8, i8, s, m, b) VALUES
  (1.5, 3.14159, 0.1, 0.1, 9223372036854775807, -32768, 12.34, true),
  ('NaN', 0, 'Infinity', '-Infinity', -1, 0, -0.01, false),
  (1e-30, 1e10, 1.17549435e-38, 2.2250738585072014e-308, 0, 1, 0, NULL),
  (0.1 + 0.2, NULL, 3.4028235e38, 0.30000000000000004, NULL, NULL, NULL, NULL),
  (123456789012345678901234567890.123456789, -0.00001, -0.0, 1.0000000000000002, 42, 7, 1000000, true);

CREATE TABLE times (id int, ts timestamp, tstz timestamptz, d date, t time, tz timetz, iv interval);
INSERT INTO times VALUES
  (1, '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789+05:30', '2024-02-29', '23:59:59.999999', '12:00+02',
   '1 year 2 mons 3 days 04:05:06.5'),
  (2, 'infinity', '-infinity', 'epoch', 'allballs', '00:00-12', '-1 day +02:00'),
  (3, '1900-01-01', '1900-01-01 00:00 Europe/Paris', '0001-01-01 BC', NULL, NULL, '0'),
  (4, '2024-07-01 00:00', '2024-07-01 00:00 America/New_York', '2024-07-01', '00:00', '00:00', '-3 years -1 sec');

CREATE TABLE structured (id int, a int[], ta text[], j json, jb jsonb, x xml, u uuid, r int4range, p point,
                         ip inet, bits bit varying(10), mo mood, two int[][]);
INSERT INTO structured VALUES
  (1, '{1,2,NULL}', ARRAY['a b', 'c,d', E'e"f', E'g\\h', NULL, ''], '{"b": 1, "a": [1, 2]}', '{"b": 1, "a": [1, 2]}',
   '<a x="1">t</a>', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[1,10)', '(1.5,2)', '192.168.0.1/24', B'1011', 'happy',
   '{{1,2},{3,4}}'),
  (2, '{}', '{}', 'null', '{}', NULL, NULL, 'empty', NULL, '::1', B'', 'sad', NULL),
  (3, NULL, NULL, E'{"s": "tab\\there \\u00e9"}', E'{"s": "tab\\there \\u00e9"}', NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL);

CREATE TABLE empty_t (id int, v text);
CREATE TABLE nocols ();
INSERT INTO nocols DEFAULT VALUES;
INSERT INTO nocols DEFAULT VALUES;
INSERT INTO nocols DEFAULT VALUES;

-- a table with the same row twice (a multiset, not a set)
CREATE TABLE dups (v text);
INSERT INTO dups VALUES ('same'), ('same'), ('other');

CREATE TABLE big AS SELECT g AS id, md5(g::text) AS h, g * 1.5 AS x, (g % 7 = 0) AS flag
  FROM generate_series(1, 120000) g;

DO $$
BEGIN
  EXECUTE 'CREATE TABLE wide (' || (SELECT string_agg('c' || i || ' int', ', ') FROM generate_series(1, 420) i) || ')';
  EXECUTE 'INSERT INTO wide SELECT ' || (SELECT string_agg('g + ' || i, ', ') FROM generate_series(1, 420) i)
       || ' FROM generate_series(1, 50) g';
END $$;

CREATE TABLE meas (id int, at date, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE meas_2024 PARTITION OF meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE meas_2025 PARTITION OF meas FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE meas_other PARTITION OF meas DEFAULT;
INSERT INTO meas SELECT g, date '2024-01-01' + g, 'm' || g FROM generate_series(1, 800) g;

-- inheritance: the parent's own rows only; a column added to the parent after the child exists makes the
-- restored child's column order differ from the source's
CREATE TABLE parent (id int, name text);
CREATE TABLE child (extra text) INHERITS (parent);
ALTER TABLE parent ADD COLUMN late int;
INSERT INTO parent VALUES (1, 'p1', 10), (2, 'p2', NULL);
INSERT INTO child (id, name, extra, late) VALUES (3, 'c3', 'x', 30), (4, 'c4', NULL, 40), (5, 'c5', 'z', NULL);

CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED, c text);
INSERT INTO gen (a, c) VALUES (1, 'one'), (2, 'two'), (NULL, 'null');

CREATE TABLE swap_a (id int, v text);
CREATE TABLE swap_b (id int, v text);
INSERT INTO swap_a VALUES (1, 'from a'), (2, 'a2');
INSERT INTO swap_b VALUES (1, 'from b'), (2, 'b2');

CREATE SCHEMA "odd schema";
CREATE TABLE "odd schema"."Table ""with"" quotes" (id int, "Mixed Case" text, "select" int);
INSERT INTO "odd schema"."Table ""with"" quotes" VALUES (1, 'q', 2);
CREATE TABLE public."name with
newline and  spaces" (id int, "col umn" text);
INSERT INTO public."name with
newline and  spaces" VALUES (1, 'nl');
CREATE TABLE "ünïcødé" (id int, "ß" text);
INSERT INTO "ünïcødé" VALUES (1, 'ok');

CREATE SEQUENCE counter_called;
SELECT setval('counter_called', 42);
CREATE SEQUENCE counter_fresh;
CREATE SEQUENCE "odd schema"."Seq ""q""" START 100;
SELECT setval('"odd schema"."Seq ""q"""', 150, false);
CREATE TABLE with_identity (id bigint GENERATED ALWAYS AS IDENTITY, v text);
INSERT INTO with_identity (v) VALUES ('a'), ('b');

SELECT lo_from_bytea(0, 'hello large object'::bytea);
SELECT lo_from_bytea(0, ''::bytea);
SELECT lo_from_bytea(0, convert_to(repeat('0123456789abcdef', 70000), 'UTF8'));
SELECT lo_from_bytea(3000000000, '\x00010203ff'::bytea);
