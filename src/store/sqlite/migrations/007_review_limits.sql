-- Review requests are limited per person: count one person's recent ones through an index.
CREATE INDEX audit_log_actor_action ON audit_log (actor, action, at);
