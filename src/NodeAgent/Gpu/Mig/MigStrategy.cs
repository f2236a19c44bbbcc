namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>NVIDIA's MIG strategies (device plugin and GPU Feature Discovery).</summary>
internal enum MigStrategy
{
    None,
    Single,
    Mixed,
}

internal static class MigStrategies
{
    public const string None = "none";
    public const string Single = "single";
    public const string Mixed = "mixed";

    public static readonly string[] All = [None, Single, Mixed];

    public static bool TryParse(string? value, out MigStrategy strategy)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case None:
                strategy = MigStrategy.None;
                return true;
            case Single:
                strategy = MigStrategy.Single;
                return true;
            case Mixed:
                strategy = MigStrategy.Mixed;
                return true;
            default:
                strategy = MigStrategy.None;
                return false;
        }
    }

    public static string Name(MigStrategy strategy) => strategy switch
    {
        MigStrategy.Single => Single,
        MigStrategy.Mixed => Mixed,
        _ => None,
    };
}
