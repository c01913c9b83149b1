import 'reflect-metadata';
import { runService } from '@hum/runtime';
import { RiskClassifierModule } from './app.module';
import { loadClassifierConfig, SERVICE_NAME } from './config';

void runService(
  {
    name: SERVICE_NAME,
    loadConfig: loadClassifierConfig,
    module: (config, runtime) => RiskClassifierModule.register(config, runtime),
    // Intel uploads are read as raw streams (KEV JSON, EPSS CSV, gzip).
    bodyParser: false,
  },
  process.env,
);
