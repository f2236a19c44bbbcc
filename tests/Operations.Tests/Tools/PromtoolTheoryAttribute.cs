namespace Platform.Operations.Tests.Tools;

/// <summary>A theory that skips, saying why, where Prometheus's binaries are not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PromtoolTheoryAttribute : TheoryAttribute
{
    public PromtoolTheoryAttribute()
    {
        if (!Promtool.Available)
        {
            Skip = Promtool.MissingReason;
        }
    }
}
