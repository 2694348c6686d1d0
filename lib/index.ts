/**
 * The public API of `@obs-platform/constructs`: what users build with, named one by one.
 * Helpers that components share (args, probes, validation rules, config renderers) stay inside
 * the package; `etc/constructs.api.md` is the reviewed report of this surface, and
 * `etc/constructs-aws.api.md` of the `./aws` entry point (`npm run api`).
 */

// The platform: one spec, every component.
export { ObservabilityPlatform } from './platform';
export type {
  PlatformSpec,
  PlatformProfile,
  PlatformMetrics,
  PlatformCollectors,
  PlatformCollectorsSpec,
  PlatformGrafanaSpec,
  PlatformVictoriaMetricsSpec,
  PlatformTempoSpec,
  PlatformOtlpGatewaySpec,
  PlatformDatasourceKind,
  MetricsBackendKind,
  EmbeddedStoreKind,
  SelfMonitoringSpec,
  PlatformNetworkSpec,
  PlatformTlsSpec,
} from './platform';

// The upgrade planner: what applying one output on top of another does.
export { planUpgrade, upgradeReportMarkdown, upgradeSummary, blocksApply, worstClass, describeObject, CHANGE_CLASSES } from './planning/upgrade';
export type { ChangeClass, ObjectRef, PlannedChange, RolloutStep, UpgradePlan, ManifestObject } from './planning/upgrade';

// The capacity planner: how big a platform must be for a load, and what it costs.
export {
  planPlatform,
  resolveLoad,
  capacityReportMarkdown,
  capacityChartSvg,
  CAPACITY_RULES,
  capacityRule,
  AWS_US_EAST_1_PRICES,
  checkPriceTable,
  computeCost,
  objectStorageCost,
  sumCosts,
} from './planning';
export type {
  PlatformLoad,
  LogsLoad,
  LogTenantLoad,
  MetricsLoad,
  TracesLoad,
  QueryLoad,
  RetentionDays,
  ResolvedLoad,
  PlanOptions,
  CapacityPlan,
  ComponentPlan,
  PlanTotals,
  PlannedFigure,
  PlanDecision,
  FigureUnit,
  CapacityRule,
  RuleSource,
  PriceTable,
  MonthlyCost,
  RequestedResources,
  ObjectStoragePlan,
  CapacityReportOptions,
} from './planning';

// Jaeger v2.
export { Jaeger, JAEGER_PORTS } from './jaeger';
export type { JaegerProps, JaegerStorage, JaegerReplicas } from './jaeger';

// Kafka-compatible brokers.
export { Kafka, ExternalKafka, KAFKA_PORTS } from './kafka';
export type { KafkaProps, KafkaEndpoint, KafkaTopicRequest, ExternalKafkaProps, ExternalKafkaTopic } from './kafka';

// Object storage.
export { InClusterObjectStore, SeaweedFs, Minio, S3Storage, Credentials, AwsStorage, planAwsStorage } from './object-storage';
export type {
  ObjectStorage,
  SeaweedFsProps,
  MinioProps,
  S3StorageProps,
  StorageCredentials,
  SecretKeysReference,
  StorageUsage,
  StorageUse,
  StorageClient,
  ServiceAccountRef,
  RetentionClaim,
  AwsStorageProps,
  AwsBucketSettings,
  AwsReplicationProps,
  AwsReplicaStorageClass,
  AwsIdentityProps,
  AwsStoragePlan,
  BucketPlan,
  ReplicaPlan,
  RolePlan,
  ExpiryRule,
} from './object-storage';

// Logs.
export { LokiCluster, TENANT_HEADER } from './loki';
export type {
  LokiClusterProps,
  LokiRoleOptions,
  LokiStatefulRoleOptions,
  LokiGatewayOptions,
  LokiTenant,
  LokiClientEndpoint,
  LokiLimits,
  LokiMode,
  LokiMigration,
  LokiDistributedOptions,
  LokiComponentOptions,
} from './loki';
export { Memcached } from './memcached';
export type { MemcachedOptions, MemcachedProps } from './memcached';

// Metrics: Prometheus, Thanos, VictoriaMetrics.
export { PrometheusAgent, PrometheusServer } from './prometheus';
export type { PrometheusBase, PrometheusMode, PrometheusAgentProps, PrometheusServerProps, PrometheusCommonProps, ThanosSidecarOptions } from './prometheus';
export type { FederationEndpoint, PrometheusFederation } from './prometheus';
export {
  ThanosCluster,
  ThanosBucket,
  ThanosReceive,
  ThanosQuery,
  ThanosQueryFrontend,
  ThanosStore,
  ThanosCompactor,
  ThanosRuler,
  ThanosTenantGateway,
} from './thanos';
export type {
  ThanosClusterProps,
  ThanosBucketProps,
  ThanosReceiveProps,
  ThanosHashringOptions,
  ThanosQueryProps,
  ThanosTenantGatewayOptions,
  ThanosGrpcTls,
  ThanosTenantGatewayProps,
  ThanosQueryFrontendProps,
  ThanosStoreProps,
  ThanosCompactorProps,
  ThanosRetention,
  ThanosRulerProps,
  ThanosComponentProps,
  ThanosComponentOptions,
  ThanosClusterWired,
  ThanosBucketAccess,
  HashringFileEntry,
  StoreApiEndpoint,
} from './thanos';
export { VictoriaMetricsCluster, VmStorage, VmInsert, VmSelect, VmAgent, VmAuth, VMAUTH_PORT } from './victoriametrics';
export type {
  VictoriaMetricsClusterProps,
  VmStorageOptions,
  VmStorageProps,
  VmBackupOptions,
  VmRestore,
  VmFrontend,
  VmFrontendProps,
  VmFrontendOptions,
  VmInsertOptions,
  VmInsertProps,
  VmInsertExposure,
  VmSelectOptions,
  VmSelectProps,
  VmAgentProps,
  VmAgentSharding,
  VmAgentQueue,
  VmComponentOptions,
  VmPlacement,
  VmAuthProps,
  VmAuthUser,
  VmAuthAccess,
  VmTenant,
  RelabelConfig,
} from './victoriametrics';

// Batch jobs' metrics.
export { Pushgateway } from './pushgateway';
export type { PushgatewayProps } from './pushgateway';

// Traces.
export { Tempo, TempoGateway } from './tempo';
export type { TempoGatewayOptions, TempoProps, TempoReceivers, TempoMetricsGenerator, TempoKafka, TempoDistributedSizes } from './tempo';

// Grafana: the server, datasources linked to each other, dashboards, grafana-operator resources.
export { Grafana, GrafanaOperatorResources, overviewDashboard } from './grafana';
// Datasources are Grafana's provisioning shapes, which components give: they live in core.
export { DATASOURCE_UIDS, lokiDatasource, metricsDatasource, tempoDatasource, jaegerDatasource } from './core';
// Each component's own dashboard lives in its folder.
export { lokiDashboard } from './loki';
export { tempoDashboard } from './tempo';
export { thanosDashboard } from './thanos';
export { victoriaMetricsDashboard } from './victoriametrics';
export type {
  GrafanaProps,
  GrafanaAdminSecret,
  GrafanaOidc,
  GrafanaIni,
  GrafanaOperatorResourcesProps,
  OperatorDashboardRef,
  DashboardDefinition,
  PanelDefinition,
} from './grafana';

// Collectors and Alertmanager.
export {
  AlloyLogAgent,
  AlloyGateway,
  OtelCollectorGateway,
  Promtail,
  NodeExporter,
  KubeStateMetrics,
  MetricsServer,
  CoreDnsMetrics,
  Alertmanager,
  DEFAULT_ALERTMANAGER_CONFIG,
} from './collectors';
export type {
  AlloyLogAgentProps,
  AlloyGatewayProps,
  OtelCollectorGatewayProps,
  PromtailProps,
  NodeExporterProps,
  KubeStateMetricsProps,
  MetricsServerProps,
  CoreDnsMetricsProps,
  AlertmanagerProps,
  AlertmanagerWebAuth,
  AlertmanagerConfig,
  AlertmanagerRoute,
  AlertmanagerReceiver,
  TracesDestination,
} from './collectors';
export type { ClusterAccess } from './collectors/rbac';

// What every component shares: the namespace, pinned images, the options of every workload, the
// contracts components are wired by, validation, warnings and what an output asks of a cluster.
export {
  RestrictedNamespace,
  IMAGES,
  LABELS,
  ValidationError,
  acknowledgeWarning,
  warningsOf,
  WARNINGS_ENV,
  declareExternal,
  declareExternalService,
  externalReferences,
  setClusterDomain,
  clusterDomainOf,
  DEFAULT_CLUSTER_DOMAIN,
  srvScrapeTarget,
  scrapeTargetsOf,
  emitServiceMonitors,
  footprintOf,
  describeFootprint,
  connectionGraph,
  mermaidDiagram,
  connectionsMarkdown,
  addressProblems,
  admitClients,
  setNetworkPolicies,
  networkPolicyProblems,
  setServingTls,
  servingTlsOf,
  PLATFORM_CA_FILE,
  datasourcesOf,
  dashboardsOf,
  parseQuantity,
  FOOTPRINT_KINDS,
} from './core';
export type { DatasourceDefinition, LokiDatasourceOptions, MetricsDatasourceOptions, TempoDatasourceOptions, TracesDatasourceOptions } from './core';
export type { CertificateIssuer, ServingTls } from './core';
export type {
  AddressProblem,
  NetworkPeer,
  NetworkProblem,
  PathOptions,
  ImageRef,
  WorkloadOptions,
  VolumeClaim,
  SchedulingOptions,
  PodOverrides,
  HostAccess,
  AutoscalingOptions,
  ResourceRequirements,
  ResourceList,
  ScrapeTarget,
  ScrapeOptions,
  Scrapeable,
  DatasourceProvider,
  DashboardProvider,
  DatasourceContext,
  DatasourceLinks,
  OtlpEndpoint,
  RemoteWriteTarget,
  LogsDestination,
  OtlpLogsDestination,
  AlertmanagerEndpoint,
  BasicAuthCredential,
  WebLogins,
  RuleGroup,
  RecordingRule,
  AlertingRule,
  ValidationProblem,
  ExternalReference,
  Footprint,
  WorkloadFootprint,
  ConnectionGraph,
  Connection,
  ConnectionNode,
  RuleResult,
  ComponentIdentity,
  ComponentIdentityProps,
  ConfigFile,
  ConfigFileProps,
  Workload,
  WorkloadProps,
  WorkloadCommon,
  PodTemplateProps,
  ContainerDefinition,
  PodIdentity,
  DeploymentWorkloadProps,
  StatefulSetWorkloadProps,
  DaemonSetWorkloadProps,
  Validator,
} from './core';

// The custom resources some constructs emit (cdk8s import of the pinned operators' CRDs).
export type { ServiceMonitor } from '../imports/servicemonitor-monitoring.coreos.com';
export type { GrafanaDashboard } from '../imports/grafana-dashboard-grafana.integreatly.org';
export type { GrafanaDatasource } from '../imports/grafana-datasource-grafana.integreatly.org';
export type { GrafanaFolder } from '../imports/grafana-folder-grafana.integreatly.org';
