import { describeComposeService } from '@hum/testing';
import { loadGatewayConfig } from './config';

describeComposeService('ingest-gateway', loadGatewayConfig, 8080);
