import { z } from 'zod';
import { TOPIC_LIST, type TopicDefinition } from './topics';

export type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema (draft-07, which AsyncAPI 3.0 and most tooling read) for a topic's event, as
 * validated on input: defaults are applied by the consumer, so they are optional here.
 */
export function topicJsonSchema(topic: TopicDefinition): JsonSchema {
  const schema = z.toJSONSchema(topic.schema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'throw',
  }) as JsonSchema;
  return {
    ...schema,
    $id: `urn:hum:schema:${topic.schemaName}`,
    title: topic.schemaName,
    description: topic.description,
  };
}

/** Every event schema by its file name (`<schemaName>.json`), in catalogue order. */
export function allJsonSchemas(): Map<string, JsonSchema> {
  return new Map(TOPIC_LIST.map((topic) => [`${topic.schemaName}.json`, topicJsonSchema(topic)]));
}
