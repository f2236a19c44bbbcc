namespace Platform.Webhook.Mutation;

/// <summary>Labels KubeRay (v1.7.0) sets on the pods it builds; the user cannot override these.</summary>
internal static class RayLabels
{
    public const string NodeType = "ray.io/node-type";
    public const string Cluster = "ray.io/cluster";
    public const string Group = "ray.io/group";
    public const string Head = "head";
    public const string Worker = "worker";

    /// <summary>The <c>ray.io/group</c> of the head: KubeRay names the head group so.</summary>
    public const string HeadGroup = "headgroup";
}

/// <summary>The annotations this webhook reads and writes.</summary>
internal static class PolicyAnnotations
{
    /// <summary>Set by users on a worker group template to pick a profile; beats the rules.</summary>
    public const string Profile = "raygpu.io/profile";

    /// <summary>Set by the webhook on pods it changed: the profile applied, or "default".</summary>
    public const string Policy = "raygpu.io/policy";

    public const string DefaultPolicyValue = "default";
}

/// <summary>Environment variables the mutation reads or writes in the Ray container.</summary>
internal static class RayEnv
{
    /// <summary>KubeRay repeats the generated ray start line here.</summary>
    public const string GeneratedStartCommand = "KUBERAY_GEN_RAY_START_CMD";

    /// <summary>"void" hides every GPU from a container on a GPU node (NVIDIA container runtime).</summary>
    public const string NvidiaVisibleDevices = "NVIDIA_VISIBLE_DEVICES";
}
