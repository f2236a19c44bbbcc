namespace Platform.Webhook.Policy;

/// <summary>What the webhook does when <c>ray start --num-gpus</c> disagrees with the Ray container's GPU limit.</summary>
internal enum NumGpusAction
{
    /// <summary>Rewrite the flag to the limit, with a warning.</summary>
    Fix,

    /// <summary>Leave the flag and warn.</summary>
    Warn,
}

/// <summary>The policy's <c>ray</c> section.</summary>
internal sealed record RayPolicy(NumGpusAction NumGpus)
{
    public static RayPolicy Default { get; } = new(NumGpusAction.Fix);
}
