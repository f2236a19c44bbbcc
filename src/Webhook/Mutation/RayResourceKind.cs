namespace Platform.Webhook.Mutation;

/// <summary>The <c>ray.io/v1</c> kinds whose group templates the webhook mutates, and where each keeps its
/// RayCluster spec.</summary>
internal static class RayResourceKind
{
    public const string RayCluster = "RayCluster";
    public const string RayJob = "RayJob";
    public const string RayService = "RayService";

    /// <summary>The JSON pointer of the RayCluster spec in a resource of <paramref name="kind"/>; null for any
    /// other kind.</summary>
    public static string? ClusterSpecPointer(string? kind) => kind switch
    {
        RayCluster => "/spec",
        RayJob => "/spec/rayClusterSpec",
        RayService => "/spec/rayClusterConfig",
        _ => null,
    };

    /// <summary>The kind served under an API resource name (<c>request.resource.resource</c>).</summary>
    public static string? ForResource(string? resource) => resource switch
    {
        "rayclusters" => RayCluster,
        "rayjobs" => RayJob,
        "rayservices" => RayService,
        _ => null,
    };
}
