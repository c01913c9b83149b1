import { gitlabParser } from '../gitlab-common/gitlab-report';
import type { ReportParser } from '../../core/types';

/** GitLab container scanning; cluster image scanning reports share the schema and are read here too. */
export const gitlabContainerScanningParser: ReportParser = gitlabParser({
  format: 'gitlab-container-scanning',
  displayName: 'GitLab Container Scanning',
  accepts: ['container_scanning', 'cluster_image_scanning'],
  mapping: 'dependency',
});
