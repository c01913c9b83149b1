import 'reflect-metadata';
import { runService } from '@hum/runtime';
import { AutoPatcherModule } from './app.module';
import { loadPatcherConfig, SERVICE_NAME } from './config';

void runService(
  {
    name: SERVICE_NAME,
    loadConfig: loadPatcherConfig,
    module: (config, runtime) => AutoPatcherModule.register(config, runtime),
    // The executor callback is verified against its exact bytes (HMAC): controllers read raw bodies.
    bodyParser: false,
  },
  process.env,
);
