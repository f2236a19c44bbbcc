namespace Platform.Operations.Tests.Tools;

/// <summary>A fact that skips, saying why, where Prometheus's binaries are not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (!Promtool.Available)
        {
            Skip = Promtool.MissingReason;
        }
    }
}
