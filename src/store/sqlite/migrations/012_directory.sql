-- People, regions and approver groups from the Slack directory (issue 13): the registry's
-- region_rules (first match wins, so kept in the file's order), and approver groups that name a
-- Slack user group and a backup group.
CREATE TABLE region_rules (
  position INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('field', 'tz', 'email_domain', 'team')),
  field TEXT,                                -- the profile field (label or id) of a `field` rule
  match_values TEXT NOT NULL,                -- JSON array: field values, time zones, domains or team ids
  region TEXT NOT NULL REFERENCES regions (id),
  department TEXT,
  department_field TEXT,
  CHECK ((kind = 'field') = (field IS NOT NULL)),
  CHECK (department IS NULL OR department_field IS NULL)
);

-- A Slack user group (S… id or @handle) whose members approve, and another group that stands in.
ALTER TABLE approver_groups ADD COLUMN usergroup TEXT;
ALTER TABLE approver_groups ADD COLUMN backup TEXT REFERENCES approver_groups (id);
