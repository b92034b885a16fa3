-- Regions keep the order the registry file gives them, so an export reads like its source.
ALTER TABLE regions ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
