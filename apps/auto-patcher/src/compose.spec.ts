import { describeComposeService } from '@hum/testing';
import { loadPatcherConfig } from './config';

describeComposeService('auto-patcher', loadPatcherConfig, 8083);
