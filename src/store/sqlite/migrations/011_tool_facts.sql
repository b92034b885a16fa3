-- Facts the assessment rubric reads and a person deciding sees: operating entity, open weights,
-- certifications, China generative-AI filing, export controls, when the facts were checked, sources.
ALTER TABLE tools ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
