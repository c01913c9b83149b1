import { stringify } from 'yaml';
import { CE_HEADERS, CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE } from './envelope';
import { EXAMPLES } from './examples';
import { topicJsonSchema } from './json-schema';
import {
  dlqTopicName,
  DLQ_HEADERS,
  SERVICES,
  TOPICS,
  type TopicDefinition,
  type TopicId,
} from './topics';

const KAFKA_BINDING_VERSION = '0.5.0';

function ceHeadersSchema(): Record<string, unknown> {
  const prop = (description: string): Record<string, unknown> => ({ type: 'string', description });
  return {
    type: 'object',
    required: [
      CE_HEADERS.specversion,
      CE_HEADERS.id,
      CE_HEADERS.source,
      CE_HEADERS.type,
      CONTENT_TYPE_HEADER,
    ],
    properties: {
      [CE_HEADERS.specversion]: {
        type: 'string',
        const: '1.0',
        description: 'CloudEvents spec version',
      },
      [CE_HEADERS.id]: prop('Unique event id (UUID)'),
      [CE_HEADERS.source]: prop('Producing service, e.g. /hum/ingest-gateway'),
      [CE_HEADERS.type]: prop('Event type with its version, e.g. dev.hum.finding.raw.v1'),
      [CE_HEADERS.time]: prop('RFC 3339 time the event was produced'),
      [CE_HEADERS.subject]: prop('Optional subject, e.g. the asset id'),
      [CE_HEADERS.dataschema]: prop('URN of the payload schema'),
      [CE_HEADERS.correlationid]: prop('Correlation id carried from the originating request'),
      [CONTENT_TYPE_HEADER]: { type: 'string', const: JSON_CONTENT_TYPE },
    },
  };
}

function dlqHeadersSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'The source message headers are kept; the consumer runner adds these.',
    required: Object.values(DLQ_HEADERS),
    properties: Object.fromEntries(Object.values(DLQ_HEADERS).map((h) => [h, { type: 'string' }])),
  };
}

function channelId(id: TopicId): string {
  return id;
}

function topicBinding(topic: TopicDefinition): Record<string, unknown> {
  const topicConfiguration: Record<string, unknown> = {
    'cleanup.policy': [topic.compacted ? 'compact' : 'delete'],
  };
  if (topic.retentionMs !== undefined) topicConfiguration['retention.ms'] = topic.retentionMs;
  return {
    kafka: {
      topic: topic.name,
      partitions: topic.partitions,
      topicConfiguration,
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
}

/** The AsyncAPI 3.0 description of every hum topic, generated from the catalogue. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  for (const [id, topic] of Object.entries(TOPICS) as [TopicId, TopicDefinition][]) {
    const messageId = topic.schemaName;
    schemas[messageId] = {
      schemaFormat: 'application/schema+json;version=draft-07',
      schema: topicJsonSchema(topic),
    };
    messages[messageId] = {
      name: topic.eventType,
      title: topic.schemaName,
      summary: topic.description,
      contentType: JSON_CONTENT_TYPE,
      headers: ceHeadersSchema(),
      payload: { $ref: `#/components/schemas/${messageId}` },
      examples: [{ name: 'example', payload: EXAMPLES[id] }],
      bindings: {
        kafka: {
          key: { type: 'string', description: `Kafka key: ${topic.key}` },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
    channels[channelId(id)] = {
      address: topic.name,
      title: topic.name,
      description: `${topic.description} Key: ${topic.key}.`,
      messages: { [messageId]: { $ref: `#/components/messages/${messageId}` } },
      bindings: topicBinding(topic),
    };
    const dlqId = `${id}Dlq`;
    const dlqMessageId = `${messageId}.dead-letter`;
    messages[dlqMessageId] = {
      name: `${topic.eventType}.dead-letter`,
      title: `${topic.schemaName} (dead-lettered)`,
      summary: `A message from ${topic.name} that failed validation or exhausted its retries, unchanged, with the reason in headers.`,
      headers: dlqHeadersSchema(),
      payload: {},
    };
    channels[dlqId] = {
      address: dlqTopicName(topic.name),
      title: dlqTopicName(topic.name),
      description: `Dead letters of ${topic.name}; re-driven with \`hum dlq replay ${topic.name}\`.`,
      messages: { [dlqMessageId]: { $ref: `#/components/messages/${dlqMessageId}` } },
    };
    for (const service of SERVICES) {
      const channelRef = { $ref: `#/channels/${channelId(id)}` };
      const messageRefs = [{ $ref: `#/channels/${channelId(id)}/messages/${messageId}` }];
      if (topic.writers.includes(service)) {
        operations[`${service}.send.${id}`] = {
          action: 'send',
          title: `${service} publishes ${topic.name}`,
          channel: channelRef,
          messages: messageRefs,
        };
      }
      if (topic.readers.includes(service)) {
        operations[`${service}.receive.${id}`] = {
          action: 'receive',
          title: `${service} consumes ${topic.name}`,
          channel: channelRef,
          messages: messageRefs,
        };
      }
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'hum events',
      version: '1.0.0',
      description:
        'Every Kafka topic hum reads or writes. Events use the CloudEvents 1.0 Kafka binding in binary ' +
        'mode: attributes as ce_* headers, the JSON payload as the body. Generated from libs/contracts; ' +
        'do not edit by hand (npm run contracts:generate).',
    },
    defaultContentType: JSON_CONTENT_TYPE,
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The single-node broker of the quickstart (tools/kafka or docker-compose).',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

export function renderAsyncApiYaml(): string {
  const header = '# Generated by `npm run contracts:generate` from libs/contracts. Do not edit.\n';
  return (
    header + stringify(buildAsyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })
  );
}
