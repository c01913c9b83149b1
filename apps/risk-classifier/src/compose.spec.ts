import { describeComposeService } from '@hum/testing';
import { loadClassifierConfig } from './config';

describeComposeService('risk-classifier', loadClassifierConfig, 8081);
