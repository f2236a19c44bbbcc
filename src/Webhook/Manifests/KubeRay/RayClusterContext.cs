using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>What every group's pod needs from its RayCluster spec: names, the head's address, cluster-wide switches.</summary>
internal sealed class RayClusterContext
{
    public RayClusterContext(string kind, string name, string ns, JsonObject spec, JsonObject? annotations)
    {
        Kind = kind;
        Name = name;
        Namespace = ns;
        Spec = spec;
        Annotations = annotations;
        var head = spec["headGroupSpec"] as JsonObject;
        HeadPort = head?["rayStartParams"]?["port"] is { } port ? RayStartCommandBuilder.ScalarText(port) : KubeRayConventions.DefaultGcsPort;
        HeadServiceName = JsonText.Text(head?["headService"]?["metadata"]?["name"]) is { Length: > 0 } svc ? svc : $"{name}-head-svc";
        HeadFqdn = $"{HeadServiceName}.{ns}.svc.{KubeRayConventions.ClusterDomain}";
        AutoscalingEnabled = spec["enableInTreeAutoscaling"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
        FaultToleranceEnabled = spec["gcsFaultToleranceOptions"] is JsonObject || JsonText.IsTrue(annotations?[KubeRayConventions.FaultToleranceAnnotation]);
    }

    public string Kind { get; }

    public string Name { get; }

    public string Namespace { get; }

    public JsonObject Spec { get; }

    public JsonObject? Annotations { get; }

    public string HeadPort { get; }

    public string HeadServiceName { get; }

    public string HeadFqdn { get; }

    public bool AutoscalingEnabled { get; }

    public bool FaultToleranceEnabled { get; }
}
