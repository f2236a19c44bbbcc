using System.Text;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Tests.TestSupport;

internal static class MutationResultAssert
{
    /// <summary>Two mutations gave the same answer: decision, pod, profile, patch bytes, warnings, audit
    /// annotations and message.</summary>
    public static void Same(MutationResult expected, MutationResult actual)
    {
        Assert.Equal(expected.Decision, actual.Decision);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Cluster, actual.Cluster);
        Assert.Equal(expected.Group, actual.Group);
        Assert.Equal(expected.Profile, actual.Profile);
        Assert.Equal(Encoding.UTF8.GetString(JsonPatchSerializer.ToUtf8Json(expected.Patch)), Encoding.UTF8.GetString(JsonPatchSerializer.ToUtf8Json(actual.Patch)));
        Assert.Equal(expected.Warnings, actual.Warnings);
        Assert.Equal(expected.AuditAnnotations.OrderBy(a => a.Key), actual.AuditAnnotations.OrderBy(a => a.Key));
        Assert.Equal(expected.Message, actual.Message);
    }
}
