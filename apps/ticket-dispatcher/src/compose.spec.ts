import { describeComposeService } from '@hum/testing';
import { loadDispatcherConfig } from './config';

describeComposeService('ticket-dispatcher', loadDispatcherConfig, 8082);
