using Microsoft.Extensions.Options;
using Platform.NodeAgent.Diagnostics;

namespace Platform.NodeAgent.Dra.Slices;

/// <summary><c>/readyz</c> in DRA mode: ready once the node's pool is published, as a device plugin is once registered.</summary>
internal sealed class ResourceSliceReadiness(ResourceSlicePublisher publisher, IOptions<DraOptions> options) : IReadinessContributor
{
    public IEnumerable<ReadinessCheck> Checks()
    {
        if (!options.Value.Enabled)
        {
            yield break;
        }

        yield return new ReadinessCheck(
            "dra-resource-slices",
            publisher.Problem is null,
            true,
            publisher.Problem ?? $"the node's pool is published at generation {publisher.Generation}");
    }
}
