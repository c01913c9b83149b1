import { gitlabParser } from '../gitlab-common/gitlab-report';
import type { ReportParser } from '../../core/types';

/** GitLab SAST reports; secret-detection reports share the schema and are read here too. */
export const gitlabSastParser: ReportParser = gitlabParser({
  format: 'gitlab-sast',
  displayName: 'GitLab SAST',
  accepts: ['sast', 'secret_detection'],
  mapping: 'code',
});
