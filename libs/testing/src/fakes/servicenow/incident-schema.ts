/** Columns of the incident table as the Table API returns them (from the connector definition). */
export const TASK_COLUMNS: readonly string[] = [
  'active',
  'activity_due',
  'additional_assignee_list',
  'approval',
  'approval_history',
  'approval_set',
  'assigned_to',
  'assignment_group',
  'business_duration',
  'business_service',
  'business_stc',
  'calendar_duration',
  'calendar_stc',
  'caller_id',
  'category',
  'caused_by',
  'child_incidents',
  'close_code',
  'close_notes',
  'closed_at',
  'closed_by',
  'cmdb_ci',
  'comments',
  'comments_and_work_notes',
  'company',
  'contact_type',
  'contract',
  'correlation_display',
  'correlation_id',
  'delivery_plan',
  'delivery_task',
  'description',
  'due_date',
  'escalation',
  'expected_start',
  'follow_up',
  'group_list',
  'hold_reason',
  'impact',
  'incident_state',
  'knowledge',
  'location',
  'made_sla',
  'notify',
  'number',
  'opened_at',
  'opened_by',
  'order',
  'parent',
  'parent_incident',
  'priority',
  'problem_id',
  'reassignment_count',
  'reopen_count',
  'reopened_by',
  'reopened_time',
  'resolved_at',
  'resolved_by',
  'rfc',
  'route_reason',
  'service_offering',
  'severity',
  'short_description',
  'sla_due',
  'state',
  'subcategory',
  'sys_class_name',
  'sys_created_by',
  'sys_created_on',
  'sys_domain',
  'sys_domain_path',
  'sys_id',
  'sys_mod_count',
  'sys_tags',
  'sys_updated_by',
  'sys_updated_on',
  'task_effective_number',
  'time_worked',
  'universal_request',
  'upon_approval',
  'upon_reject',
  'urgency',
  'user_input',
  'watch_list',
  'work_end',
  'work_notes',
  'work_notes_list',
  'work_start',
];

/** Reference columns and the table each points to; the API renders them as `{ link, value }`. */
export const REFERENCE_COLUMNS: Readonly<Record<string, string>> = {
  assigned_to: 'sys_user',
  assignment_group: 'sys_user_group',
  business_service: 'cmdb_ci_service',
  caller_id: 'sys_user',
  caused_by: 'change_request',
  closed_by: 'sys_user',
  cmdb_ci: 'cmdb_ci',
  company: 'core_company',
  location: 'cmn_location',
  opened_by: 'sys_user',
  parent: 'task',
  parent_incident: 'incident',
  problem_id: 'problem',
  reopened_by: 'sys_user',
  resolved_by: 'sys_user',
  rfc: 'change_request',
  service_offering: 'service_offering',
  sys_domain: 'sys_user_group',
};

/** Journal columns: written as text, stored as entries, read back as "" unless displayed. */
export const JOURNAL_COLUMNS = new Set(['work_notes', 'comments', 'comments_and_work_notes']);

/** Columns the platform maintains; values a client sends for them are ignored. */
export const SYSTEM_COLUMNS = new Set([
  'sys_id',
  'number',
  'sys_created_on',
  'sys_created_by',
  'sys_updated_on',
  'sys_updated_by',
  'sys_mod_count',
  'sys_class_name',
  'priority',
  'incident_state',
  'active',
  'opened_at',
  'opened_by',
  'resolved_at',
  'resolved_by',
  'closed_at',
  'closed_by',
  'reopen_count',
  'reopened_by',
  'reopened_time',
  'comments_and_work_notes',
  'sys_domain',
  'sys_domain_path',
  'task_effective_number',
]);

export const STATE = {
  new: '1',
  inProgress: '2',
  onHold: '3',
  resolved: '6',
  closed: '7',
  canceled: '8',
} as const;

export const CHOICES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  state: {
    '1': 'New',
    '2': 'In Progress',
    '3': 'On Hold',
    '6': 'Resolved',
    '7': 'Closed',
    '8': 'Canceled',
  },
  incident_state: {
    '1': 'New',
    '2': 'In Progress',
    '3': 'On Hold',
    '6': 'Resolved',
    '7': 'Closed',
    '8': 'Canceled',
  },
  urgency: { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' },
  impact: { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' },
  priority: {
    '1': '1 - Critical',
    '2': '2 - High',
    '3': '3 - Moderate',
    '4': '4 - Low',
    '5': '5 - Planning',
  },
  hold_reason: {
    '': '',
    '1': 'Awaiting Caller',
    '3': 'Awaiting Problem',
    '4': 'Awaiting Vendor',
    '5': 'Awaiting Change',
  },
};

/** Resolution codes of a current (Utah and later) instance. */
export const DEFAULT_CLOSE_CODES: readonly string[] = [
  'Duplicate',
  'Known error',
  'No resolution provided',
  'Resolved by caller',
  'Resolved by change',
  'Resolved by problem',
  'Resolved by request',
  'Solution provided',
  'Workaround provided',
  'User error',
];

export const FIELD_LABELS: Readonly<Record<string, string>> = {
  close_code: 'Resolution code',
  close_notes: 'Resolution notes',
  hold_reason: 'On hold reason',
  short_description: 'Short description',
};

/**
 * ServiceNow's default priority lookup (dl_u_priority): impact × urgency, 1 is highest.
 * 1/1 Critical, 1/2 and 2/1 High, 1/3, 2/2 and 3/1 Moderate, 2/3 and 3/2 Low, 3/3 Planning.
 */
export function priorityFor(impact: string, urgency: string): string {
  const sum = Number(impact) + Number(urgency);
  return String(Math.min(5, Math.max(1, sum - 1)));
}

/** Column limits the fake enforces. */
export interface FieldLimits {
  readonly short_description: number;
  readonly description: number;
  readonly close_notes: number;
  readonly correlation_id: number;
  readonly work_notes: number;
  readonly comments: number;
}
