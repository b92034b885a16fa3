-- The registry snapshot as a running bot built it (issue 11), kept so that the next start at the
-- same registry version reads it back instead of building it again from the rows (seconds at 50,000
-- tools). It is a cache: `version` says which registry version it is of, `format` which code made
-- it; anything else is ignored and built from the registry. Not registry tables: writing them does
-- not move registry_version.
CREATE TABLE kept_registry_snapshot (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  format TEXT NOT NULL,
  meta TEXT NOT NULL,
  arrays BLOB NOT NULL
);
-- Its tools, by number, as JSON: read one by one when first asked for. Rows of a version are never
-- changed; those of the version kept before the current one stay too, for a connection still
-- answering from it.
CREATE TABLE kept_registry_tools (
  version INTEGER NOT NULL,
  n INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (version, n)
) WITHOUT ROWID;
