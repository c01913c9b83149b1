import { gitlabParser } from '../gitlab-common/gitlab-report';
import type { ReportParser } from '../../core/types';

export const gitlabDependencyScanningParser: ReportParser = gitlabParser({
  format: 'gitlab-dependency-scanning',
  displayName: 'GitLab Dependency Scanning',
  accepts: ['dependency_scanning'],
  mapping: 'dependency',
});
