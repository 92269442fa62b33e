"""What llmpick hands out: JSON documents with their pydantic models and JSON Schemas,
and the Markdown export."""
