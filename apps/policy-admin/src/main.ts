import 'reflect-metadata';
import { runService } from '@hum/runtime';
import { PolicyAdminModule } from './app.module';
import { loadAdminConfig, SERVICE_NAME } from './config';
import { configureHttp } from './http/configure-http';

void runService(
  {
    name: SERVICE_NAME,
    loadConfig: loadAdminConfig,
    module: (config, runtime) => PolicyAdminModule.register(config, runtime),
    configure: configureHttp,
  },
  process.env,
);
