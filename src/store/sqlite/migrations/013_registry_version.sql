-- The registry's version (issue 11). A process holds the registry in memory and reads it again when
-- this number moves, so every change to a registry table bumps it, in the same transaction, by the
-- triggers below: an import, a change made by another process or a later feature, a hand edit.
-- Derived tables (tool_keys, tool_categories) change only with their tools. The audit log keeps its
-- head in settings (audit_head): that is not the registry, and must not make anyone re-read it.
CREATE TABLE registry_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 1);

CREATE TRIGGER regions_insert_bumps_registry AFTER INSERT ON regions BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER regions_update_bumps_registry AFTER UPDATE ON regions BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER regions_delete_bumps_registry AFTER DELETE ON regions BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER tools_insert_bumps_registry AFTER INSERT ON tools BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER tools_update_bumps_registry AFTER UPDATE ON tools BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER tools_delete_bumps_registry AFTER DELETE ON tools BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER tool_regions_insert_bumps_registry AFTER INSERT ON tool_regions BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER tool_regions_update_bumps_registry AFTER UPDATE ON tool_regions BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER tool_regions_delete_bumps_registry AFTER DELETE ON tool_regions BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER people_insert_bumps_registry AFTER INSERT ON people BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER people_update_bumps_registry AFTER UPDATE ON people BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER people_delete_bumps_registry AFTER DELETE ON people BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER approver_groups_insert_bumps_registry AFTER INSERT ON approver_groups BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER approver_groups_update_bumps_registry AFTER UPDATE ON approver_groups BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER approver_groups_delete_bumps_registry AFTER DELETE ON approver_groups BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER approver_group_members_insert_bumps_registry AFTER INSERT ON approver_group_members BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER approver_group_members_update_bumps_registry AFTER UPDATE ON approver_group_members BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER approver_group_members_delete_bumps_registry AFTER DELETE ON approver_group_members BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER approval_chains_insert_bumps_registry AFTER INSERT ON approval_chains BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER approval_chains_update_bumps_registry AFTER UPDATE ON approval_chains BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER approval_chains_delete_bumps_registry AFTER DELETE ON approval_chains BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER admins_insert_bumps_registry AFTER INSERT ON admins BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER admins_update_bumps_registry AFTER UPDATE ON admins BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER admins_delete_bumps_registry AFTER DELETE ON admins BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER settings_insert_bumps_registry AFTER INSERT ON settings WHEN NEW.key <> 'audit_head' BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER settings_update_bumps_registry AFTER UPDATE ON settings WHEN NEW.key <> 'audit_head' BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER settings_delete_bumps_registry AFTER DELETE ON settings WHEN OLD.key <> 'audit_head' BEGIN UPDATE registry_version SET version = version + 1; END;

-- Lookups are made in the snapshot in memory now, from the tools themselves (their names, typo
-- variants by hash, prefixes and listing order): the tables and indexes only the SQL lookups used go.
-- The typo table was most of a large registry's database, and writing the names most of its import.
-- tool_keys is emptied rather than dropped: test/store/schemaChecks.test.ts still lists its CHECK.
DROP TABLE tool_key_variants;
DELETE FROM tool_keys;
DROP INDEX tool_keys_key;
DROP INDEX tool_keys_tool;
DROP INDEX tools_name_nocase;
DROP INDEX tools_category_name_nocase;

-- Display names (009) and region rules (012) are registry too.
CREATE TRIGGER category_names_insert_bumps_registry AFTER INSERT ON category_names BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER category_names_update_bumps_registry AFTER UPDATE ON category_names BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER category_names_delete_bumps_registry AFTER DELETE ON category_names BEGIN UPDATE registry_version SET version = version + 1; END;

CREATE TRIGGER region_rules_insert_bumps_registry AFTER INSERT ON region_rules BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER region_rules_update_bumps_registry AFTER UPDATE ON region_rules BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER region_rules_delete_bumps_registry AFTER DELETE ON region_rules BEGIN UPDATE registry_version SET version = version + 1; END;
