export * from './compose-service';
export * from './describe-compose-service';
