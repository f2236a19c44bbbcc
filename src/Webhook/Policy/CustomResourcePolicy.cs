namespace Platform.Webhook.Policy;

/// <summary>The policy's <c>customResources</c> section: how group templates of RayClusters, RayJobs and
/// RayServices are treated on UPDATE.</summary>
/// <param name="UpdateExisting">Apply the policy to group templates an UPDATE leaves unchanged too. KubeRay
/// recreates the pods of a group whose template hash changes, so the default (false) mutates only new or changed
/// groups: a policy change then reaches running clusters when their owners next change the group.</param>
internal sealed record CustomResourcePolicy(bool UpdateExisting)
{
    public static CustomResourcePolicy Default { get; } = new(false);
}
