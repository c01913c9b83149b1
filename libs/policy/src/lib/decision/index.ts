export * from './versions/version';
export { ECOSYSTEMS, type Ecosystem, ecosystemOf, versionSchemeOf } from './versions/ecosystems';
export * from './fix-version';
export * from './reasons';
export { activeFreezeFor, denyEntryFor, freezeEndedBetween } from './asset-rules';
export * from './decide';
export * from './replay';
export * from './pause-handover';
export * from './backlog';
