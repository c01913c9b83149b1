import 'reflect-metadata';
import { runService } from '@hum/runtime';
import { IngestGatewayModule } from './app.module';
import { loadGatewayConfig, SERVICE_NAME } from './config';

void runService(
  {
    name: SERVICE_NAME,
    loadConfig: loadGatewayConfig,
    module: (config, runtime) => IngestGatewayModule.register(config, runtime),
    // Reports are streamed to disk by the scans controller, never buffered by a body parser.
    bodyParser: false,
  },
  process.env,
);
