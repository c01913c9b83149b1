import { describeComposeService } from '@hum/testing';
import { loadAdminConfig } from './config';

describeComposeService('policy-admin', loadAdminConfig, 8084);
