namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>Names and defaults of KubeRay v1.7.0 (ray-operator/controllers/ray/utils/constant.go) that pod previews reproduce.</summary>
internal static class KubeRayConventions
{
    public const string Version = "v1.7.0";

    public const string ClusterLabel = "ray.io/cluster";
    public const string NodeTypeLabel = "ray.io/node-type";
    public const string GroupLabel = "ray.io/group";
    public const string IsRayNodeLabel = "ray.io/is-ray-node";
    public const string IdentifierLabel = "ray.io/identifier";
    public const string ServeLabel = "ray.io/serve";
    public const string WorkerReplicaIndexLabel = "ray.io/worker-group-replica-index";
    public const string AppNameLabel = "app.kubernetes.io/name";
    public const string CreatedByLabel = "app.kubernetes.io/created-by";
    public const string AppName = "kuberay";
    public const string CreatedBy = "kuberay-operator";
    public const string HeadGroupName = Mutation.RayLabels.HeadGroup;

    public const string FaultToleranceAnnotation = "ray.io/ft-enabled";
    public const string OverwriteContainerCommandAnnotation = "ray.io/overwrite-container-cmd";

    public const string DefaultGcsPort = "6379";
    public const int DefaultMetricsPort = 8080;
    public const int DefaultDashboardAgentListenPort = 52365;
    public const string ClusterDomain = "cluster.local";
    public const string LocalHost = "127.0.0.1";

    public const string SharedMemoryVolume = "shared-mem";
    public const string SharedMemoryPath = "/dev/shm";
    public const string LogVolume = "ray-logs";
    public const string LogPath = "/tmp/ray";
    public const string AutoscalerContainer = "autoscaler";
    public const string WaitGcsReadyContainer = "wait-gcs-ready";

    /// <summary>KubeRay's default container command (bash -c; "-lc" only when the operator runs with ENABLE_LOGIN_SHELL=true).</summary>
    public static readonly string[] ContainerCommand = ["/bin/bash", "-c", "--"];

    /// <summary>Prefix KubeRay puts before the generated <c>ray start</c> line in args[0].</summary>
    public const string UlimitCommand = "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}";
}
