-- Who is in the Slack user groups approver groups name (issue 13): a cache of usergroups.users.list,
-- refreshed when Slack sends subteam_members_changed and at least every USERGROUP_TTL_MINUTES.
-- When Slack cannot be reached, decisions go by the membership last read here.
CREATE TABLE usergroups (
  id TEXT PRIMARY KEY,               -- S…, as Slack names the group
  handle TEXT,                       -- without the @; how a registry entry "@security-review" finds the id
  members_read_at TEXT               -- when usergroups.users.list last answered; NULL: never read
) WITHOUT ROWID;
CREATE INDEX usergroups_handle ON usergroups (handle);

CREATE TABLE usergroup_members (
  usergroup_id TEXT NOT NULL REFERENCES usergroups (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  PRIMARY KEY (usergroup_id, user_id)
) WITHOUT ROWID;
CREATE INDEX usergroup_members_user ON usergroup_members (user_id);
