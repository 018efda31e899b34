-- Fixture for tests/lookups_pgsql.rs, loaded with psql as the superuser
-- into a throw-away cluster.  The lookups connect as exim/eximpw.
DROP DATABASE IF EXISTS eximtest WITH (FORCE);
DROP DATABASE IF EXISTS second WITH (FORCE);
DROP ROLE IF EXISTS exim;
DROP ROLE IF EXISTS other;
CREATE ROLE exim LOGIN PASSWORD 'eximpw';
CREATE ROLE other LOGIN PASSWORD 'otherpw';
CREATE DATABASE eximtest OWNER exim ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE second OWNER exim ENCODING 'UTF8' TEMPLATE template0;
\connect second
SET ROLE exim;
CREATE TABLE where_am_i (db text);
INSERT INTO where_am_i VALUES ('second');
\connect eximtest
SET ROLE exim;
CREATE TABLE where_am_i (db text);
INSERT INTO where_am_i VALUES ('eximtest');
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text, quota int, note text);
INSERT INTO users VALUES
  (1, 'alice', 'alice@example.com', 100, 'first user'),
  (2, 'bob', 'bob@example.com', NULL, NULL),
  (3, 'carol', 'carol@example.org', 300, ''),
  (4, 'dave "the man"', 'dave@example.net', 0, 'back\slash'),
  (5, 'O''Brien', 'ob@example.com', 50, E'tab\there'),
  (6, 'ünïcode', 'u@example.com', 7, '"quoted"');
CREATE TABLE aliases (alias text, target text);
INSERT INTO aliases VALUES
  ('postmaster', 'alice@example.com'),
  ('postmaster', 'bob@example.com'),
  ('postmaster', 'carol@example.org'),
  ('abuse', 'alice@example.com');
CREATE TABLE log (id serial PRIMARY KEY, msg text);
