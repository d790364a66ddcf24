-- Runs once, on an empty data directory. The exporter applies its own schema migrations at start-up;
-- the server only needs the database the exporter and Grafana users are granted.
CREATE DATABASE IF NOT EXISTS dvm;
