-- Whether a tool has a History button is answered from the registry in memory (issue 11: an answer
-- reads no table for it), so a change to a tool's history moves the registry version like any
-- other registry change (013), in the same transaction.
CREATE TRIGGER tool_history_insert_bumps_registry AFTER INSERT ON tool_history BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER tool_history_update_bumps_registry AFTER UPDATE ON tool_history BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER tool_history_delete_bumps_registry AFTER DELETE ON tool_history BEGIN UPDATE registry_version SET version = version + 1; END;
