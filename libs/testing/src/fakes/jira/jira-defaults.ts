import type { JiraCustomField, JiraWorkflow, NamedEntity } from './jira-model';

/**
 * The company-managed "software simplified" shape most sites start with: To Do, In Progress,
 * Done, and a Reopened state; resolution set when an issue lands in a done-category status.
 */
export const DEFAULT_WORKFLOW: JiraWorkflow = {
  statuses: [
    { id: '10000', name: 'To Do', description: 'Work that has not started.', category: 'new' },
    { id: '3', name: 'In Progress', description: 'Work is under way.', category: 'indeterminate' },
    { id: '10001', name: 'Done', description: 'Work is finished.', category: 'done' },
    { id: '4', name: 'Reopened', description: 'Work came back.', category: 'new' },
  ],
  initialStatusId: '10000',
  transitions: [
    { id: '11', name: 'To Do', from: ['3', '10001'], to: '10000' },
    { id: '21', name: 'In Progress', from: ['10000', '4'], to: '3' },
    { id: '31', name: 'Done', from: ['10000', '3', '4'], to: '10001' },
    { id: '41', name: 'Reopen', from: ['10001'], to: '4' },
  ],
};

export const STATUS_CATEGORIES = {
  new: { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
} as const;

export const DEFAULT_ISSUE_TYPES: readonly NamedEntity[] = [
  { id: '10001', name: 'Task', description: 'A small, distinct piece of work.' },
  { id: '10002', name: 'Bug', description: 'A problem or error.' },
  { id: '10003', name: 'Story', description: 'A feature expressed as a user goal.' },
];

export const DEFAULT_PRIORITIES: readonly NamedEntity[] = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
];

/** Priority a new issue gets when the request names none, as in a default priority scheme. */
export const DEFAULT_PRIORITY_ID = '3';

/** Jira Cloud's default resolutions. */
export const CLOUD_RESOLUTIONS: readonly NamedEntity[] = [
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: "This issue won't be actioned." },
  {
    id: '10002',
    name: 'Duplicate',
    description: 'The problem is a duplicate of an existing issue.',
  },
  { id: '10003', name: 'Cannot Reproduce', description: 'This issue could not be reproduced.' },
];

/** Jira Data Center's default resolutions. */
export const DATA_CENTER_RESOLUTIONS: readonly NamedEntity[] = [
  { id: '1', name: 'Fixed', description: 'A fix for this issue is checked in.' },
  {
    id: '2',
    name: "Won't Fix",
    description: 'The problem described is an issue which will never be fixed.',
  },
  { id: '3', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
  { id: '4', name: 'Incomplete', description: 'The problem is not completely described.' },
  {
    id: '5',
    name: 'Cannot Reproduce',
    description: 'All attempts at reproducing this issue failed.',
  },
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: "This issue won't be actioned." },
];

/** Fields hum's dispatcher is expected to map by configuration; any others may be configured. */
export const DEFAULT_CUSTOM_FIELDS: readonly JiraCustomField[] = [
  { id: 'customfield_10100', name: 'Finding group', type: 'string' },
  { id: 'customfield_10101', name: 'Risk score', type: 'number' },
  {
    id: 'customfield_10102',
    name: 'Risk tier',
    type: 'option',
    options: ['critical', 'high', 'medium', 'low'],
  },
];

/** The summary limit every Jira enforces. */
export const SUMMARY_MAX_LENGTH = 255;
/** The limit on a text field (description, comment): 32,767 characters. */
export const TEXT_FIELD_MAX_LENGTH = 32_767;
export const LABEL_MAX_LENGTH = 255;
