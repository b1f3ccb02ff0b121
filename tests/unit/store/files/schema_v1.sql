-- Golden store file, schema version 1 (sqlite3 .dump of a store written by edgegw).
-- test_store_files.cpp loads it and checks every field, so a later schema or message
-- codec change must keep reading stores that are already out in the field. Never edit
-- the blobs: add a schema_v2.sql next to it instead.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);
INSERT INTO meta VALUES('schema_version',1);
CREATE TABLE retained(topic TEXT PRIMARY KEY, msg BLOB NOT NULL);
INSERT INTO retained VALUES('site/1/status',X'0105c2010d736974652f312f737461747573066f6e6c696e650a746578742f706c61696e0867772d70726f6265046d717474b23ca071');
CREATE TABLE sessions(
  client_id TEXT PRIMARY KEY, username TEXT NOT NULL, protocol TEXT NOT NULL,
  mountpoint TEXT NOT NULL, expiry_interval INTEGER NOT NULL,
  disconnected_at_ms INTEGER NOT NULL);
INSERT INTO sessions VALUES('sensor-7','alice','mqttsn','site/1/',3600,1700000000000);
CREATE TABLE subscriptions(
  client_id TEXT NOT NULL, filter TEXT NOT NULL, qos INTEGER NOT NULL,
  no_local INTEGER NOT NULL, retain_as_published INTEGER NOT NULL,
  retain_handling INTEGER NOT NULL, subscription_id INTEGER NOT NULL,
  PRIMARY KEY(client_id, filter));
INSERT INTO subscriptions VALUES('sensor-7','site/1/cmd/#',1,1,0,1,42);
CREATE TABLE session_messages(
  client_id TEXT NOT NULL, seq INTEGER NOT NULL, state INTEGER NOT NULL,
  packet_id INTEGER NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL,
  sub_ids BLOB NOT NULL, msg BLOB NOT NULL, PRIMARY KEY(client_id, seq));
INSERT INTO session_messages VALUES('sensor-7',3,1,17,1,0,X'2a',X'0102fd010e736974652f312f636d642f6c6564020100000c736974652f312f7265706c7903632d3901066f726967696e0361706980bff4fef962036170690468747470dae6d86b');
CREATE TABLE incoming_qos2(
  client_id TEXT NOT NULL, packet_id INTEGER NOT NULL, PRIMARY KEY(client_id, packet_id));
INSERT INTO incoming_qos2 VALUES('sensor-7',9);
COMMIT;
