-- The registry snapshot as a running bot built it (issue 11), kept so that the next start at the
-- same registry version reads it back instead of building it again from the rows (seconds at 50,000
-- tools). A cache: `version` says which registry version it is of, `format` which code made it;
-- anything else is ignored and built from the registry. Not registry tables: writing them does not
-- move registry_version.
--
-- kept_registry_snapshot says which version is kept, and is written last, once all of its parts
-- are in: its parts are written in many small transactions, so that keeping 50,000 tools never
-- holds the write lock (or the bot's event loop) for long.
CREATE TABLE kept_registry_snapshot (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  format TEXT NOT NULL,
  meta_parts INTEGER NOT NULL,
  strings_parts INTEGER NOT NULL,
  arrays_parts INTEGER NOT NULL,
  arrays_bytes INTEGER NOT NULL
);
-- The parts of a kept snapshot, never changed once written: `tool` n is tool number n's JSON (read
-- when first asked for); `meta`, `strings` and `arrays` are the settings (JSON), the key texts and
-- the tools' names (NUL-joined runs) and the lookups' typed arrays (bytes), in pieces of 64 KB. The tools of the version kept before stay until the
-- next is kept, for a connection still answering from it.
CREATE TABLE kept_registry_parts (
  version INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('tool', 'meta', 'strings', 'arrays')),
  n INTEGER NOT NULL,
  data NOT NULL,
  PRIMARY KEY (version, kind, n)
);
