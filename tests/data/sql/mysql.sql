-- Fixture for tests/lookups_mysql.rs, loaded with the mariadb client as
-- root into a throw-away data directory.  The lookups connect as
-- exim/eximpw.
DROP DATABASE IF EXISTS eximtest;
DROP DATABASE IF EXISTS second;
DROP DATABASE IF EXISTS secret;
DROP USER IF EXISTS 'exim'@'%';
DROP USER IF EXISTS 'exim'@'localhost';
CREATE USER 'exim'@'%' IDENTIFIED BY 'eximpw';
CREATE USER 'exim'@'localhost' IDENTIFIED BY 'eximpw';
CREATE DATABASE eximtest CHARACTER SET utf8mb4;
CREATE DATABASE second CHARACTER SET utf8mb4;
CREATE DATABASE secret CHARACTER SET utf8mb4;
GRANT ALL ON eximtest.* TO 'exim'@'%';
GRANT ALL ON eximtest.* TO 'exim'@'localhost';
GRANT ALL ON second.* TO 'exim'@'%';
GRANT ALL ON second.* TO 'exim'@'localhost';
USE second;
CREATE TABLE where_am_i (db text);
INSERT INTO where_am_i VALUES ('second');
USE eximtest;
CREATE TABLE where_am_i (db text);
INSERT INTO where_am_i VALUES ('eximtest');
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text, quota int, note text);
INSERT INTO users VALUES
  (1, 'alice', 'alice@example.com', 100, 'first user'),
  (2, 'bob', 'bob@example.com', NULL, NULL),
  (3, 'carol', 'carol@example.org', 300, ''),
  (4, 'dave "the man"', 'dave@example.net', 0, 'back\\slash'),
  (5, 'O\'Brien', 'ob@example.com', 50, 'tab\there'),
  (6, 'ünïcode', 'u@example.com', 7, '"quoted"');
CREATE TABLE aliases (alias varchar(64), target text);
INSERT INTO aliases VALUES
  ('postmaster', 'alice@example.com'),
  ('postmaster', 'bob@example.com'),
  ('postmaster', 'carol@example.org'),
  ('abuse', 'alice@example.com');
CREATE TABLE log (id int AUTO_INCREMENT PRIMARY KEY, msg text);
